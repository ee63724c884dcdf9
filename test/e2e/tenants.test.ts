/**
 * Two tenants with their own simulator-issued RP certificates log in at the same time: each order reaches the
 * simulator with its tenant's certificate, and is collected with it (the simulator refuses a collect from any
 * other). A new activation applies to the next login without a restart; a tenant without a certificate gets no order.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';
import { authorize, discover, interactionUid, login, REDIRECT_URI } from '../helpers/rp.ts';
import { field } from '../helpers/http-browser.ts';
import { until } from '../helpers/until.ts';

let t: TestBroker;
const secret = 'tenant-secret-0123456789abcdefghijkl';
const fingerprints: Record<string, string> = {};

async function tenantWithCertificate(id: string, displayName: string): Promise<void> {
  await t.broker.tenants.create({ id, name: { sv: displayName, en: displayName }, bankidEnvironment: 'simulator' });
  const issued = t.simulator.issueRpCertificate({ displayName });
  const staged = await t.broker.certificates.add({ tenantId: id, pkcs12: issued.pkcs12, passphrase: t.simulator.rpP12Passphrase });
  await t.broker.certificates.activate(staged.fingerprint);
  fingerprints[id] = issued.fingerprint;
}

async function client(clientId: string, tenantId: string): Promise<oidc.Configuration> {
  await t.broker.clients.save({ client_id: clientId, client_secret: secret, client_name: clientId, redirect_uris: [REDIRECT_URI], brygga_first_party: true }, tenantId);
  return discover(t, clientId, oidc.ClientSecretBasic(secret));
}

/** The certificate each of the client's orders was made with, by the broker's record and by the simulator's. */
async function certificatesOf(clientId: string): Promise<{ stored: string; seen: unknown }[]> {
  const rows = await t.broker.database.db.selectFrom('bankid_orders').select(['order_ref', 'rp_certificate']).where('client_id', '=', clientId).orderBy('created_at').execute();
  return Promise.all(rows.map(async (r) => ({ stored: r.rp_certificate, seen: (await t.sim.order(r.order_ref))?.rpCertificate })));
}

before(async () => {
  t = await startTestBroker();
  await tenantWithCertificate('kommun-a', 'Kommun A');
  await tenantWithCertificate('kommun-b', 'Kommun B');
  await t.broker.tenants.create({ id: 'utan-cert', name: { sv: 'Utan certifikat', en: 'Without certificate' }, bankidEnvironment: 'simulator' });
});
after(async () => { await t?.close(); });

test('two tenants log in at the same time, each order with its own certificate', async () => {
  const [a, b] = [await client('rp-a', 'kommun-a'), await client('rp-b', 'kommun-b')];
  const logins = await Promise.all([login(t, a), login(t, b), login(t, a), login(t, b)]);
  for (const { tokens } of logins) assert.ok(tokens.id_token);
  assert.notEqual(fingerprints['kommun-a'], fingerprints['kommun-b']);
  for (const [clientId, tenant] of [['rp-a', 'kommun-a'], ['rp-b', 'kommun-b']] as const) {
    assert.deepEqual(await certificatesOf(clientId), Array(2).fill({ stored: fingerprints[tenant], seen: fingerprints[tenant] }));
  }
});

test('a certificate activated for a tenant is used by its next login, without a restart; the default tenant keeps the settings\' one', async () => {
  const a = await client('rp-a2', 'kommun-a');
  const renewed = t.simulator.issueRpCertificate({ displayName: 'Kommun A' });
  await t.broker.certificates.add({ tenantId: 'kommun-a', pkcs12: renewed.pkcs12, passphrase: t.simulator.rpP12Passphrase });
  await login(t, a);
  await t.broker.certificates.activate(renewed.fingerprint);
  await login(t, a);
  assert.deepEqual((await certificatesOf('rp-a2')).map((c) => c.seen), [fingerprints['kommun-a'], renewed.fingerprint]);

  const fallback = await client('rp-default', 'default');
  await login(t, fallback);
  const [order] = await certificatesOf('rp-default');
  assert.notEqual(order!.seen, undefined);
  assert.ok(![fingerprints['kommun-a'], fingerprints['kommun-b'], renewed.fingerprint].includes(String(order!.seen)), 'the settings\' certificate');
});

test('a certificate activated on one replica is used by the next login on another, which had the old one in hand', async () => {
  const replica = await t.replica();
  const at = { ...t, broker: replica };
  await t.broker.clients.save({ client_id: 'rp-a3', client_secret: secret, client_name: 'rp-a3', redirect_uris: [REDIRECT_URI], brygga_first_party: true }, 'kommun-a');
  const viaReplica = await discover(at, 'rp-a3', oidc.ClientSecretBasic(secret));
  await login(at, viaReplica); // the replica now knows the tenant's active certificate
  const renewed = t.simulator.issueRpCertificate({ displayName: 'Kommun A' });
  await t.broker.certificates.add({ tenantId: 'kommun-a', pkcs12: renewed.pkcs12, passphrase: t.simulator.rpP12Passphrase });
  await t.broker.certificates.activate(renewed.fingerprint);
  // The activation's notification drops the replica's lookups of the tenant (its clients too, which a test can see).
  await until(async () => replica.clients.cached('rp-a3'), (held) => !held, 'the activation reached the replica', 40, 50);
  await login(at, viaReplica);
  const [before, after] = (await certificatesOf('rp-a3')).map((c) => c.seen);
  assert.notEqual(before, renewed.fingerprint);
  assert.equal(after, renewed.fingerprint);
});

test('a tenant without an active certificate starts no order', async () => {
  const none = await client('rp-none', 'utan-cert');
  const auth = await authorize(t, none);
  const uid = interactionUid(auth.step);
  const started = await auth.browser.post(`${t.broker.url}/interaction/${uid}/start`, { csrf: field(auth.step.body, 'csrf'), method: 'qr' });
  assert.equal(started.status, 503, started.body.slice(0, 200));
  assert.deepEqual(await certificatesOf('rp-none'), []);
  assert.ok(t.logLines.some((l) => l.includes('tenant utan-cert has no active BankID certificate')));
});
