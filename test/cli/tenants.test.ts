/**
 * `brygga tenants` and `brygga certificates` as an operator runs them, against the database directly, with the
 * live check against a running simulator: tables by default, JSON with --json, exit codes 0, 1 and 2.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load.ts';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.ts';
import { createTestDatabase, embeddedDataDir } from '../helpers/database.ts';

const BIN = fileURLToPath(new URL('../../bin/brygga.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'brygga-cli-tenants-'));
let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
let simulator: RunningSimulator;
let env: Record<string, string>;

before(async () => {
  if (process.env.DATABASE_URL) database = await createTestDatabase();
  simulator = await startSimulator({ ...loadConfig({}).simulator, certsDir: join(dir, 'sim'), port: 0, controlPort: 0 });
  env = {
    PATH: process.env.PATH ?? '',
    DATA_DIR: database ? join(dir, 'data') : await embeddedDataDir(),
    ENCRYPTION_KEY: 'ab'.repeat(32),
    SUBJECT_SECRET: 's'.repeat(40),
    LOG_LEVEL: 'warn',
    SIMULATOR_CERTS_DIR: join(dir, 'sim'),
    BANKID_API_URL: simulator.apiUrl,
    ...(database?.url ? { DATABASE_URL: database.url } : {}),
  };
});
after(async () => {
  await simulator.close();
  await database?.close();
});

/** Asynchronous: the simulator answering the live check runs in this process. */
function brygga(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('tenants add, list and show; a wrong tenant is refused field by field', async () => {
  const added = await brygga('tenants', 'add', '--id', 'kommun-a', '--name-sv', 'Kommun A', '--name-en', 'Municipality A', '--environment', 'simulator',
    '--org-number', '2120001355', '--contact-email', 'it@kommun-a.se', '--policy', '{"startMethods":["qr"]}');
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stdout, /Added tenant kommun-a/);
  const listed = await brygga('tenants', 'list');
  assert.match(listed.stdout, /^ID\s+NAME\s+ORGANISATION\s+ENVIRONMENT$/m);
  assert.match(listed.stdout, /^kommun-a\s+Kommun A\s+212000-1355\s+simulator$/m);
  assert.match(listed.stdout, /^default\s+Standardorganisation\s+\(BANKID_ENV\)$/m);
  const shown = JSON.parse((await brygga('tenants', 'show', 'kommun-a', '--json')).stdout);
  assert.deepEqual(shown.policy, { startMethods: ['qr'] });

  const bad = await brygga('tenants', 'add', '--id', 'x', '--name-sv', 'X', '--name-en', 'X', '--environment', 'simulator', '--org-number', '2120001356');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /organisationNumber has a wrong check digit.*\[input_invalid\]/);

  // A client that would widen the tenant's policy is not registered.
  const wide = await brygga('clients', 'add', '--tenant', 'kommun-a', '--redirect-uri', 'https://a.example/cb', '--start-methods', 'qr,same_device');
  assert.equal(wide.code, 1);
  assert.match(wide.stderr, /brygga_start_methods same_device is not allowed by the tenant/);
  assert.equal((await brygga('clients', 'add', '--tenant', 'kommun-a', '--redirect-uri', 'https://a.example/cb', '--start-methods', 'qr')).code, 0);
});

test('certificates add (checked live), list, activate, rollback, remove; a refused one exits 1 with the reason', async () => {
  const passphraseFile = join(dir, 'passphrase');
  writeFileSync(passphraseFile, `${simulator.rpP12Passphrase}\n`);
  const files = ['first', 'second'].map((name) => {
    const issued = simulator.issueRpCertificate({ displayName: `Kommun A ${name}` });
    writeFileSync(join(dir, `${name}.p12`), issued.pkcs12);
    return { file: join(dir, `${name}.p12`), fingerprint: issued.fingerprint };
  });
  for (const { file } of files) {
    const added = await brygga('certificates', 'add', '--tenant', 'kommun-a', '--file', file, '--passphrase-file', passphraseFile, '--json');
    assert.equal(added.code, 0, added.stderr);
    const view = JSON.parse(added.stdout);
    assert.equal(view.state, 'staged');
    assert.ok(!('keyPem' in view));
  }
  const [first, second] = files as [typeof files[0], typeof files[0]];
  assert.equal((await brygga('certificates', 'activate', first.fingerprint)).code, 0);
  assert.equal((await brygga('certificates', 'activate', second.fingerprint)).code, 0);
  const listed = await brygga('certificates', 'list', '--tenant', 'kommun-a');
  assert.match(listed.stdout, /^FINGERPRINT\s+TENANT\s+STATE/m);
  assert.match(listed.stdout, new RegExp(`^${second.fingerprint}\\s+kommun-a\\s+active`, 'm'));
  assert.match(listed.stdout, new RegExp(`^${first.fingerprint}\\s+kommun-a\\s+retired`, 'm'));

  const rolled = JSON.parse((await brygga('certificates', 'rollback', '--tenant', 'kommun-a', '--json')).stdout);
  assert.deepEqual([rolled.fingerprint, rolled.state], [first.fingerprint, 'active']);
  assert.equal((await brygga('certificates', 'remove', second.fingerprint)).code, 0);
  const removeActive = await brygga('certificates', 'remove', first.fingerprint);
  assert.equal(removeActive.code, 1);
  assert.match(removeActive.stderr, /is active.*\[certificate_state\]/);

  writeFileSync(join(dir, 'wrong'), 'not-it');
  const wrong = await brygga('certificates', 'add', '--tenant', 'kommun-a', '--file', first.file, '--passphrase-file', join(dir, 'wrong'));
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /passphrase.*\[certificate_rejected\]/);
  assert.equal((await brygga('certificates', 'add', '--tenant', 'kommun-a')).code, 2);
  assert.equal((await brygga('certificates', 'frobnicate')).code, 2);
});

test('admins add the first broker admin against the database; a wrong one exits 2', async () => {
  const added = await brygga('admins', 'add', '--personal-number', '199001012385', '--name', 'Första admin', '--role', 'broker_admin', '--json');
  assert.equal(added.code, 0, added.stderr);
  const admin = JSON.parse(added.stdout);
  assert.deepEqual([admin.role, admin.tenant_id], ['broker_admin', null]);
  assert.doesNotMatch(added.stdout, /199001012385|2385/);
  assert.match((await brygga('admins', 'list')).stdout, new RegExp(`^ID\\s+NAME\\s+ROLE\\s+TENANT\\s+CREATED\\n${admin.id}\\s+Första admin\\s+broker_admin\\s`));

  const badNumber = await brygga('admins', 'add', '--personal-number', '199001012380', '--name', 'X', '--role', 'broker_admin');
  assert.equal(badNumber.code, 2);
  assert.match(badNumber.stderr, /personal_number: must be a personal identity number/);
  const noTenant = await brygga('admins', 'add', '--personal-number', '198512311237', '--name', 'X', '--role', 'tenant_admin');
  assert.equal(noTenant.code, 2);
  assert.match(noTenant.stderr, /a tenant_admin needs --tenant ID/);
});
