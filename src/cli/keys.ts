/** `brygga keys …`: rotate and list the signing keys shared by every replica. */
import { parseArgs } from 'node:util';
import type { Config } from '../config/load.ts';
import { resolveSecrets } from '../config/secrets.ts';
import { KeyStore, maxTokenLifetime } from '../oidc/keys.ts';
import type { Db } from '../storage/database.ts';
import { SecretBox } from '../storage/encryption.ts';
import { UsageError } from './usage.ts';

export async function keysCommand(config: Config, db: Db, sub: string | undefined, args: string[], out: (t: string) => void): Promise<number> {
  const keys = new KeyStore(db, new SecretBox(resolveSecrets(config).encryptionKey), { jwksFile: config.oidc.jwksFile });
  const lifetime = maxTokenLifetime(config);
  switch (sub) {
    case 'rotate': {
      const { values } = parseArgs({ args, options: { propagation: { type: 'string', default: '600' } } });
      const propagationSeconds = Number(values.propagation);
      if (!Number.isInteger(propagationSeconds) || propagationSeconds < 0) throw new UsageError('--propagation must be a whole number of seconds');
      await keys.ensureKeys(new Date());
      const rotation = await keys.rotate(new Date(), { propagationSeconds });
      out(JSON.stringify({ added: rotation.kids, published: 'now', signsFrom: rotation.useFrom.toISOString(), oldKeysRetire: `when their last tokens have expired (${lifetime} s after the new keys take over)` }, null, 2));
      return 0;
    }
    case 'list': {
      const jwks = await keys.currentJwks(new Date(), lifetime);
      out(JSON.stringify(jwks.keys.map((k) => ({ kid: k.kid, alg: k.alg })), null, 2));
      return 0;
    }
    default:
      throw new UsageError('usage: brygga keys rotate [--propagation SECONDS] | brygga keys list');
  }
}
