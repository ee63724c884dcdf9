/**
 * `brygga initial-access-tokens` as an operator runs it: over a running broker's admin API, and on the database for
 * a broker that is not running yet. A token it issues registers a client into its tenant at the broker's /reg; a
 * revoked one registers nothing; exit codes as documented.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openDatabase } from '../../src/storage/database.ts';
import { BOOTSTRAP, call, createTenant, startAdminBroker } from '../admin/support.ts';
import type { TestBroker } from '../helpers/broker.ts';
import { runCli } from '../helpers/cli.ts';
import { createTestDatabase, embeddedDataDir } from '../helpers/database.ts';

const CLIENT = { client_name: 'Bygglov', redirect_uris: ['https://bygglov.example.se/cb'] };
let t: TestBroker;

before(async () => {
  t = await startAdminBroker({ DYNAMIC_CLIENT_REGISTRATION: 'true' });
  await createTenant(t, 'kommun-r');
});
after(async () => { await t?.close(); });

const brygga = runCli;

async function register(url: string, token: string): Promise<{ status: number; json: any }> {
  const response = await fetch(`${url}/reg`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(CLIENT) });
  return { status: response.status, json: await response.json() };
}

test('over the admin API: issue (the token shown once), list without tokens, revoke; the token registers into its tenant until revoked', async () => {
  const env = { BRYGGA_URL: t.broker.url, BRYGGA_TOKEN: BOOTSTRAP };
  const issued = await brygga(['initial-access-tokens', 'issue', '--tenant', 'kommun-r', '--expires-in', '3600'], env);
  assert.equal(issued.code, 0, issued.stderr);
  const token = /^token\s+(\S+)$/m.exec(issued.stdout)?.[1];
  const id = /^id\s+(iat_\S+)$/m.exec(issued.stdout)?.[1];
  assert.ok(token && id, issued.stdout);
  assert.match(issued.stdout, new RegExp(`^registration_endpoint\\s+${t.broker.url}/reg$`, 'm'));
  assert.match(issued.stdout, /shown this once/);
  const expires = Date.parse(/^expires_at\s+(\S+)$/m.exec(issued.stdout)![1]!) - Date.now();
  assert.ok(expires > 3500_000 && expires <= 3600_000, `expires in ${expires} ms`);

  const other = JSON.parse((await brygga(['initial-access-tokens', 'issue', '--tenant', 'kommun-r', '--json'], env)).stdout) as Record<string, string>;
  assert.equal(other.tenant_id, 'kommun-r');
  const listed = await brygga(['initial-access-tokens', 'list', '--tenant', 'kommun-r'], env);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /^ID\s+TENANT\s+CREATED BY\s+CREATED\s+EXPIRES$/m);
  for (const listedId of [id, other.id]) assert.match(listed.stdout, new RegExp(`^${listedId}\\s+kommun-r\\s+bootstrap\\s`, 'm'));
  assert.ok(!listed.stdout.includes(token) && !listed.stdout.includes(other.token!), 'lists never show a token');

  const registered = await register(t.broker.url, token);
  assert.equal(registered.status, 201, JSON.stringify(registered.json));
  assert.equal((await call(t, 'GET', `/clients/${registered.json.client_id}`, { token: BOOTSTRAP })).json.tenant_id, 'kommun-r');

  const revoked = await brygga(['initial-access-tokens', 'revoke', id, '--tenant', 'kommun-r'], env);
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.equal(revoked.stdout, `Revoked ${id}.\n`);
  assert.equal((await register(t.broker.url, token)).status, 401);
  const left = JSON.parse((await brygga(['initial-access-tokens', 'list', '--tenant', 'kommun-r', '--json'], env)).stdout) as { id: string }[];
  assert.deepEqual(left.map((r) => r.id), [other.id]);
  const audit = await call(t, 'GET', `/audit?object_type=initial_access_token&object_id=${id}`, { token: BOOTSTRAP });
  assert.deepEqual(audit.json.items.map((e: { action: string; actor: string }) => `${e.action} by ${e.actor}`), ['delete by bootstrap', 'create by bootstrap']);
});

test('over the admin API, exit codes: 2 for a wrong call or no such token or tenant, 3 for a refused token', async () => {
  const env = { BRYGGA_URL: t.broker.url, BRYGGA_TOKEN: BOOTSTRAP };
  const cases: [string[], number, RegExp][] = [
    [['initial-access-tokens', 'issue'], 2, /Usage: brygga initial-access-tokens/],
    [['initial-access-tokens', 'issue', '--tenant', 'kommun-r', '--expires-in', '5'], 2, /--expires-in: .*60 to 7776000 seconds/],
    [['initial-access-tokens', 'revoke', '--tenant', 'kommun-r'], 2, /usage: brygga initial-access-tokens revoke <id>/],
    [['initial-access-tokens', 'revoke', 'iat_nothing', '--tenant', 'kommun-r'], 2, /\[admin_not_found\]/],
    [['initial-access-tokens', 'list', '--tenant', 'nobody'], 2, /\[admin_not_found\]/],
    [['initial-access-tokens', 'list', '--tenant', 'kommun-r', '--token', 'wrong'], 3, /\[admin_unauthenticated\]/],
  ];
  for (const [args, code, message] of cases) {
    const run = await brygga(args, env);
    assert.equal(run.code, code, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message, args.join(' '));
  }
});

test('on the database: a token issued before the broker runs registers there; revoked, it is gone; with registration off none is issued', async () => {
  const server = process.env.DATABASE_URL ? await createTestDatabase() : undefined;
  // The keys and secrets of the broker that will use the database (the CLI seals the signing keys it creates).
  const env = {
    DATA_DIR: server ? join(mkdtempSync(join(tmpdir(), 'brygga-cli-iat-')), 'data') : await embeddedDataDir(), ENCRYPTION_KEY: '0'.repeat(63) + '1', SUBJECT_SECRET: 'test-subject-secret-0123456789abcdef', DYNAMIC_CLIENT_REGISTRATION: 'true',
    ...(server?.url ? { DATABASE_URL: server.url } : {}),
  };
  try {
    const off = await brygga(['initial-access-tokens', 'issue', '--tenant', 'default'], { ...env, DYNAMIC_CLIENT_REGISTRATION: 'false' });
    assert.equal(off.code, 1);
    assert.match(off.stderr, /\[registration_off\]/);
    assert.equal((await brygga(['tenants', 'add', '--id', 'kommun-d', '--name-sv', 'Kommun D', '--name-en', 'Municipality D', '--environment', 'simulator'], env)).code, 0);
    const unknown = await brygga(['initial-access-tokens', 'issue', '--tenant', 'nobody'], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no tenant nobody \[tenant_unknown\]/);

    const issued = await brygga(['initial-access-tokens', 'issue', '--tenant', 'kommun-d', '--json'], env);
    assert.equal(issued.code, 0, issued.stderr);
    const { id, token, created_by: createdBy } = JSON.parse(issued.stdout) as Record<string, string>;
    assert.equal(createdBy, 'cli');
    const listed = JSON.parse((await brygga(['initial-access-tokens', 'list', '--tenant', 'kommun-d', '--json'], env)).stdout) as { id: string }[];
    assert.deepEqual(listed.map((r) => r.id), [id]);

    // The broker starts on that database and takes the token.
    const database = server ?? await openDatabase({ dataDir: env.DATA_DIR });
    const broker = await startAdminBroker({ DYNAMIC_CLIENT_REGISTRATION: 'true' }, { database });
    try {
      const registered = await register(broker.broker.url, token!);
      assert.equal(registered.status, 201, JSON.stringify(registered.json));
      const client = await call(broker, 'GET', `/clients/${registered.json.client_id}`, { token: BOOTSTRAP });
      assert.equal(client.json.tenant_id, 'kommun-d');
      const audit = await call(broker, 'GET', `/audit?object_type=initial_access_token&object_id=${id}`, { token: BOOTSTRAP });
      assert.deepEqual(audit.json.items.map((e: { action: string; actor: string }) => `${e.action} by ${e.actor}`), ['create by cli']);
    } finally {
      await broker.close();
      if (!server) await database.close();
    }

    const revoked = await brygga(['initial-access-tokens', 'revoke', id!, '--tenant', 'kommun-d'], env);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal((await brygga(['initial-access-tokens', 'list', '--tenant', 'kommun-d'], env)).stdout, 'ID  TENANT  CREATED BY  CREATED  EXPIRES\n');
    const again = await brygga(['initial-access-tokens', 'revoke', id!, '--tenant', 'kommun-d'], env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /\[admin_not_found\]/);
  } finally {
    await server?.close();
  }
});
