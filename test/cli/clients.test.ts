/** The `brygga` command as an operator runs it: a real process against the same database settings as the server. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SecretBox } from '../../src/storage/encryption.ts';
import { openDatabase } from '../../src/storage/database.ts';
import { createTestDatabase } from '../helpers/database.ts';

const BIN = fileURLToPath(new URL('../../bin/brygga.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'brygga-cli-'));
const ENCRYPTION_KEY = 'ab'.repeat(32);
let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
let env: Record<string, string>;

before(async () => {
  // With a server, a fresh database of its own; without one, the embedded database in a new, empty data directory,
  // which the first command creates (the other CLI tests start from a migrated one: embeddedDataDir).
  if (process.env.DATABASE_URL) database = await createTestDatabase();
  env = {
    PATH: process.env.PATH ?? '',
    DATA_DIR: join(dir, 'data'),
    ENCRYPTION_KEY,
    SUBJECT_SECRET: 's'.repeat(40),
    LOG_LEVEL: 'warn',
    ...(database?.url ? { DATABASE_URL: database.url } : {}),
  };
});
after(async () => { await database?.close(); });

function brygga(...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('clients add prints the client with its secret once; the secret is sealed at rest', async () => {
  const added = brygga('clients', 'add', '--name', 'Min kommun', '--redirect-uri', 'https://app.example.se/cb', '--first-party', '--start-methods', 'qr', '--login-text', 'Logga in på *Min kommun*');
  assert.equal(added.code, 0, added.stderr);
  const client = JSON.parse(added.stdout) as Record<string, unknown>;
  assert.equal(client.client_name, 'Min kommun');
  assert.equal(client.brygga_first_party, true);
  assert.deepEqual(client.brygga_start_methods, ['qr']);
  assert.equal(typeof client.client_secret, 'string');
  assert.ok(String(client.client_secret).length >= 32);

  const shown = brygga('clients', 'show', String(client.client_id));
  assert.equal(shown.code, 0, shown.stderr);
  assert.equal(JSON.parse(shown.stdout).client_secret, undefined, 'show never prints the secret');

  const listed = brygga('clients', 'list');
  assert.deepEqual(JSON.parse(listed.stdout).map((c: { client_id: string }) => c.client_id), [client.client_id]);

  // At rest: sealed, not the plaintext; and it opens with the configured key.
  const handle = database ?? await openDatabase({ dataDir: env.DATA_DIR! });
  try {
    const row = await handle.db.selectFrom('clients').selectAll().where('client_id', '=', String(client.client_id)).executeTakeFirstOrThrow();
    assert.ok(!JSON.stringify(row).includes(String(client.client_secret)));
    assert.equal(new SecretBox(ENCRYPTION_KEY).open(row.sealed_secret!), client.client_secret);
  } finally {
    if (!database) await handle.close();
  }

  const removed = brygga('clients', 'remove', String(client.client_id));
  assert.equal(removed.code, 0, removed.stderr);
  assert.equal(brygga('clients', 'show', String(client.client_id)).code, 2);
});

test('clients add --file takes standard metadata plus Brygga settings; bad metadata is refused with the reason', () => {
  const file = join(dir, 'client.json');
  writeFileSync(file, JSON.stringify({ client_id: 'from-file', client_name: 'Fil', redirect_uris: ['https://f.example/cb'], token_endpoint_auth_method: 'client_secret_post', brygga_requirement: { pinCode: true } }));
  const added = brygga('clients', 'add', '--file', file);
  assert.equal(added.code, 0, added.stderr);
  assert.deepEqual(JSON.parse(added.stdout).brygga_requirement, { pinCode: true });

  writeFileSync(file, JSON.stringify({ client_id: 'bad', redirect_uris: ['https://f.example/cb'], brygga_requirement: { risk: 'low' } }));
  const bad = brygga('clients', 'add', '--file', file);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /brygga_requirement has unsupported fields: risk/);

  const noRedirect = brygga('clients', 'add', '--name', 'x');
  assert.equal(noRedirect.code, 2);
  assert.match(noRedirect.stderr, /redirect-uri/);

  // A phone-order client (CIBA) redirects nobody; its delivery mode is checked like any metadata.
  writeFileSync(file, JSON.stringify({ client_id: 'phone', grant_types: ['urn:openid:params:grant-type:ciba'], response_types: [], backchannel_token_delivery_mode: 'poll' }));
  const phone = brygga('clients', 'add', '--file', file);
  assert.equal(phone.code, 0, phone.stderr);
  assert.equal(JSON.parse(phone.stdout).backchannel_token_delivery_mode, 'poll');
  writeFileSync(file, JSON.stringify({ client_id: 'phone-2', grant_types: ['urn:openid:params:grant-type:ciba'], response_types: [] }));
  const noMode = brygga('clients', 'add', '--file', file);
  assert.equal(noMode.code, 2);
  assert.match(noMode.stderr, /backchannel_token_delivery_mode is mandatory/);

  const implicit = brygga('clients', 'add', '--redirect-uri', 'https://x.example/cb', '--auth-method', 'none');
  assert.equal(implicit.code, 2);
  assert.match(implicit.stderr, /token_endpoint_auth_method/);
});

test('keys rotate publishes new keys that sign only later', () => {
  const before = JSON.parse(brygga('keys', 'list').stdout) as { kid: string; alg: string }[];
  const rotated = brygga('keys', 'rotate', '--propagation', '600');
  assert.equal(rotated.code, 0, rotated.stderr);
  const { added } = JSON.parse(rotated.stdout) as { added: string[] };
  const afterRotation = JSON.parse(brygga('keys', 'list').stdout) as { kid: string; alg: string }[];
  assert.equal(afterRotation.length, before.length + 2);
  // Still signing with the old keys: for each alg, the first key is an old one.
  for (const alg of ['ES256', 'RS256']) assert.ok(!added.includes(afterRotation.find((k) => k.alg === alg)!.kid));
});

test('a wrong command or setting is a usage error naming the problem', () => {
  const unknown = brygga('frobnicate');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command/);
  const badConfig = spawnSync(process.execPath, [BIN, 'clients', 'list'], { env: { ...env, PORT: 'abc' }, encoding: 'utf8' });
  assert.equal(badConfig.status, 2);
  assert.match(badConfig.stderr, /PORT/);
});
