/**
 * `brygga clients …` and `brygga audit` against a running broker's admin API, as an operator runs them while the
 * broker holds the database: a real process, real HTTP, a client-credentials token from the broker itself.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { TestBroker } from '../helpers/broker.ts';
import { startTestBroker } from '../helpers/broker.ts';
import { runCli } from '../helpers/cli.ts';
import { call, clientCredentialsToken } from '../admin/support.ts';

let t: TestBroker;
let token: string;

before(async () => {
  t = await startTestBroker(); // no ADMIN_BOOTSTRAP_TOKEN: bootstrap access is off
  await t.broker.clients.save({ client_id: 'ops', client_secret: 'ops-secret-0123456789abcdefghijklmnop', grant_types: ['client_credentials'], response_types: [], redirect_uris: [], brygga_admin_scopes: ['admin'] });
  token = await clientCredentialsToken(t, 'ops', 'ops-secret-0123456789abcdefghijklmnop', 'admin');
});
after(async () => { await t?.close(); });

const brygga = runCli;

const api = () => ['--url', t.broker.url, '--token', token];

test('with ADMIN_BOOTSTRAP_TOKEN unset no bootstrap token is accepted', async () => {
  assert.equal((await call(t, 'GET', '/clients', { token: 'any-token-that-might-be-a-bootstrap-token' })).status, 401);
});

test('clients add, list, show, update, rotate-secret, remove and audit over the admin API', async () => {
  const added = await brygga(['clients', 'add', ...api(), '--json', '--client-id', 'cli-made', '--name', 'Min kommun', '--redirect-uri', 'https://app.example.se/cb', '--first-party']);
  assert.equal(added.code, 0, added.stderr);
  const client = JSON.parse(added.stdout) as Record<string, unknown>;
  assert.equal(client.client_id, 'cli-made');
  assert.equal(typeof client.client_secret, 'string');

  const listed = await brygga(['clients', 'list', ...api()]);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /^CLIENT ID\s+TENANT\s+NAME/);
  assert.match(listed.stdout, /\ncli-made\s+default\s+Min kommun/);

  const shown = await brygga(['clients', 'show', 'cli-made', ...api()]);
  assert.match(shown.stdout, /^FIELD\s+VALUE/);
  assert.match(shown.stdout, /\nbrygga_first_party\s+true/);
  assert.doesNotMatch(shown.stdout, new RegExp(String(client.client_secret)));

  // Settings instead of flags work the same.
  const env = { BRYGGA_URL: t.broker.url, BRYGGA_TOKEN: token };
  const updated = await brygga(['clients', 'update', 'cli-made', '--name', 'Kommunen', '--json'], env);
  assert.equal(updated.code, 0, updated.stderr);
  assert.equal(JSON.parse(updated.stdout).client_name, 'Kommunen');

  const rotated = await brygga(['clients', 'rotate-secret', 'cli-made', '--grace', '60'], env);
  assert.equal(rotated.code, 0, rotated.stderr);
  assert.match(rotated.stdout, /client_secret\s+\S{43}/);
  assert.match(rotated.stdout, /shown this once/);

  const audit = await brygga(['audit', '--object-id', 'cli-made', '--json'], env);
  assert.deepEqual(JSON.parse(audit.stdout).map((e: { action: string; actor: string }) => `${e.action} by ${e.actor}`), ['rotate_secret by ops', 'update by ops', 'create by ops']);

  const removed = await brygga(['clients', 'remove', 'cli-made'], env);
  assert.equal(removed.code, 0, removed.stderr);
  assert.equal((await brygga(['clients', 'show', 'cli-made'], env)).code, 2, 'gone: a refused request');
});

test('tenants, certificates and admins over the admin API: tables, --json, a refusal with its reason', async () => {
  const env = { BRYGGA_URL: t.broker.url, BRYGGA_TOKEN: token };
  const added = await brygga(['tenants', 'add', '--id', 'cli-town', '--name-sv', 'Staden', '--name-en', 'The town', '--environment', 'simulator'], env);
  assert.equal(added.code, 0, added.stderr);
  assert.match((await brygga(['tenants', 'list', '--search', 'stad'], env)).stdout, /^ID\s+NAME\s+ORGANISATION\s+ENVIRONMENT\ncli-town\s+Staden\s+simulator\n$/);
  const updated = await brygga(['tenants', 'update', 'cli-town', '--policy', '{"startMethods":["qr"]}', '--json'], env);
  assert.deepEqual(JSON.parse(updated.stdout).policy, { startMethods: ['qr'] });

  const dir = mkdtempSync(join(tmpdir(), 'brygga-cli-api-'));
  writeFileSync(join(dir, 'pass'), t.simulator.rpP12Passphrase);
  const [good, refused] = ['Staden', 'Refused'].map((name) => {
    const issued = t.simulator.issueRpCertificate({ displayName: name });
    writeFileSync(join(dir, `${name}.p12`), issued.pkcs12);
    return { file: join(dir, `${name}.p12`), fingerprint: issued.fingerprint };
  }) as [{ file: string; fingerprint: string }, { file: string; fingerprint: string }];
  const upload = (file: string) => brygga(['certificates', 'add', '--tenant', 'cli-town', '--file', file, '--passphrase-file', join(dir, 'pass')], env);
  assert.equal((await upload(good.file)).code, 0);
  assert.equal((await brygga(['certificates', 'activate', good.fingerprint, '--tenant', 'cli-town'], env)).code, 0);
  assert.match((await brygga(['certificates', 'list', '--tenant', 'cli-town'], env)).stdout, new RegExp(`^${good.fingerprint}\\s+active\\s`, 'm'));
  await t.sim.post(`/sim/rp-certificates/${refused.fingerprint}`, { status: 'revoked' });
  const rejected = await upload(refused.file);
  assert.equal(rejected.code, 2);
  assert.match(rejected.stderr, /\n {2}pkcs12: BankID does not accept this certificate.*revoked/);

  const admin = await brygga(['admins', 'add', '--personal-number', '199001012385', '--name', 'Stina', '--role', 'tenant_admin', '--tenant', 'cli-town', '--json'], env);
  assert.equal(admin.code, 0, admin.stderr);
  assert.match((await brygga(['admins', 'list', '--tenant', 'cli-town'], env)).stdout, new RegExp(`\\n${JSON.parse(admin.stdout).id}\\s+Stina\\s+tenant_admin\\s+cli-town`));

  const inUse = await brygga(['tenants', 'remove', 'cli-town'], env);
  assert.equal(inUse.code, 2);
  assert.match(inUse.stderr, /an active certificate.*\[admin_conflict\]/);
});

test('exit codes: 2 for refused input with one line per field, 3 for a refused token, 1 for an unreachable broker', async () => {
  const bad = await brygga(['clients', 'add', ...api(), '--redirect-uri', 'http://app.example.se/cb', '--start-methods', 'phone']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /\[admin_invalid\]/);
  assert.match(bad.stderr, /\n {2}redirect_uris\.0: must be an exact https URL/);
  assert.match(bad.stderr, /\n {2}brygga_start_methods\.0: /);

  const refused = await brygga(['clients', 'list', '--url', t.broker.url, '--token', 'wrong']);
  assert.equal(refused.code, 3);
  assert.match(refused.stderr, /admin_unauthenticated/);

  const unreachable = await brygga(['clients', 'list', '--url', 'http://127.0.0.1:9', '--token', token]);
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.stderr, /cannot reach the broker at http:\/\/127\.0\.0\.1:9/);

  assert.equal((await brygga(['audit'])).code, 2, 'audit needs a broker');
});
