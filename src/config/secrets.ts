/**
 * The two secrets the broker cannot run without. Outside demo mode they come from the configuration; in demo mode
 * any that are missing are generated once and kept beside the embedded database (mode 0600).
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './load.ts';

export interface BrokerSecrets {
  subjectSecret: string;
  encryptionKey: string;
}

export function resolveSecrets(config: Config): BrokerSecrets {
  const { subjectSecret, encryptionKey } = config.oidc;
  if (subjectSecret && encryptionKey) return { subjectSecret, encryptionKey };
  const file = join(config.database.dataDir, 'demo-secrets.json');
  if (!existsSync(file)) {
    mkdirSync(config.database.dataDir, { recursive: true });
    const generated: BrokerSecrets = { subjectSecret: randomBytes(32).toString('base64url'), encryptionKey: randomBytes(32).toString('hex') };
    writeFileSync(file, JSON.stringify(generated), { mode: 0o600 });
  }
  chmodSync(file, 0o600);
  const stored = JSON.parse(readFileSync(file, 'utf8')) as BrokerSecrets;
  return { subjectSecret: subjectSecret ?? stored.subjectSecret, encryptionKey: encryptionKey ?? stored.encryptionKey };
}

/**
 * A key for one purpose (e.g. the keyed hash of admins' personal numbers), derived from SUBJECT_SECRET: like `sub`,
 * what it keys must stay the same for as long as the broker runs, and SUBJECT_SECRET never changes for that reason.
 */
export function derivedKey(secrets: BrokerSecrets, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secrets.subjectSecret, '', `brygga:${purpose}`, 32));
}
