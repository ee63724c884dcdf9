/**
 * The usage report over the admin API after real logins through the broker: JSON and CSV with the same numbers,
 * tariffs through the API (audited), a tenant admin sees its own tenant only, and bad input is a clear 400.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import { BOOTSTRAP, call, clientCredentialsToken, startAdminBroker } from '../admin/support.ts';
import type { TestBroker } from '../helpers/broker.ts';
import { field } from '../helpers/http-browser.ts';
import { afterOrder, authorize, callbackOf, discover, interactionUid, settled } from '../helpers/rp.ts';
import { monthDays } from '../../src/usage/report.ts';

let t: TestBroker;
let rp: oidc.Configuration;
const secret = 'rp-secret-0123456789abcdefghijklmnop';
const thisMonth = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit' }).format(new Date());

before(async () => {
  t = await startAdminBroker();
  await t.broker.clients.save({ client_id: 'usage-rp', client_secret: secret, client_name: 'Usage', redirect_uris: ['https://rp.example/callback'], brygga_first_party: true, scope: 'openid profile' });
  rp = await discover(t, 'usage-rp', oidc.ClientSecretBasic(secret));
});
after(async () => { await t?.close(); });

async function login(): Promise<void> {
  const auth = await authorize(t, rp, { scope: 'openid profile' });
  const uid = interactionUid(auth.step);
  const started = await auth.browser.post(`${t.broker.url}/interaction/${uid}/start`, { csrf: field(auth.step.body, 'csrf'), method: 'qr' });
  assert.equal(started.status, 303, started.body);
  const ref = String((await t.sim.latestOrder()).orderRef);
  await t.sim.post(`/sim/orders/${ref}/approve`, { personalNumber: '199908072391' });
  assert.equal((await settled(t, auth.browser, uid)).state, 'complete');
  await oidc.authorizationCodeGrant(rp, callbackOf(await afterOrder(t, auth.browser, uid)), { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce });
}

test('JSON and CSV of a month agree and count the logins; the tariff set through the API prices them', { timeout: 60_000 }, async () => {
  await login();
  await login();
  const tariff = await call(t, 'POST', '/tenants/default/tariffs', { token: BOOTSTRAP, body: { valid_from: `${thisMonth}-01`, price: '3.25', currency: 'SEK' } });
  assert.equal(tariff.status, 200, JSON.stringify(tariff.json));
  assert.deepEqual(tariff.json, { valid_from: `${thisMonth}-01`, price: '3.2500', currency: 'SEK' });
  const audit = await call(t, 'GET', '/audit?object_type=tariff', { token: BOOTSTRAP });
  assert.equal(audit.json.items[0].object_id, `default/${thisMonth}-01`);

  const json = await call(t, 'GET', `/tenants/default/usage?month=${thisMonth}`, { token: BOOTSTRAP });
  assert.equal(json.status, 200, JSON.stringify(json.json));
  const client = json.json.rows.find((r: { kind: string; id: string }) => r.kind === 'client' && r.id === 'usage-rp');
  assert.deepEqual([client.period, client.started, client.completed, client.billable, client.unique_persons, client.amount, client.currency], [thisMonth, 2, 2, 2, 1, '6.50', 'SEK']);

  const response = await fetch(`${t.broker.url}/admin/api/tenants/default/usage?month=${thisMonth}&format=csv`, { headers: { authorization: `Bearer ${BOOTSTRAP}` } });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/csv/);
  assert.match(response.headers.get('content-disposition') ?? '', /attachment; filename="usage-default-\d{4}-\d{2}\.csv"/);
  const [header, ...lines] = (await response.text()).trimEnd().split('\r\n').map((l) => l.split(','));
  assert.equal(lines.length, json.json.rows.length);
  for (const [i, row] of (json.json.rows as Record<string, unknown>[]).entries()) {
    const csv = Object.fromEntries(header!.map((h, j) => [h, lines[i]![j]]));
    for (const key of header!.filter((h) => !h.startsWith('failed:'))) assert.equal(csv[key], row[key] === null ? '' : String(row[key]), key);
  }
});

test('a tenant admin sees its own tenant\'s usage only; bad input is a 400 naming the field', async () => {
  await t.broker.tenants.create({ id: 'other', name: { sv: 'Annan kommun', en: 'Other municipality' }, bankidEnvironment: 'simulator' });
  await t.broker.clients.save({ client_id: 'other-admin', client_secret: 'other-admin-secret-0123456789abcdef', grant_types: ['client_credentials'], response_types: [], redirect_uris: [], brygga_admin_scopes: ['admin:tenant:other'] }, 'other');
  const other = await clientCredentialsToken(t, 'other-admin', 'other-admin-secret-0123456789abcdef', 'admin:tenant:other');
  assert.equal((await call(t, 'GET', `/tenants/default/usage?month=${thisMonth}`, { token: other })).status, 404);
  const own = await call(t, 'GET', `/tenants/other/usage?month=${thisMonth}`, { token: other });
  assert.deepEqual([own.status, own.json.rows], [200, []], 'its own tenant, with no orders yet');
  assert.equal((await call(t, 'GET', `/tenants/nobody/usage?month=${thisMonth}`, { token: BOOTSTRAP })).status, 404);
  const bad = await call(t, 'GET', '/tenants/default/usage?month=2026-13', { token: BOOTSTRAP });
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.json.errors, [{ field: 'month', message: 'must be a month YYYY-MM' }]);
  const both = await call(t, 'GET', `/tenants/default/usage?month=${thisMonth}&from=2026-01-01`, { token: BOOTSTRAP });
  assert.deepEqual(both.json.errors.map((e: { field: string }) => e.field), ['month']);
  const { from, to } = monthDays('2026-10')!;
  const reversed = await call(t, 'GET', `/tenants/default/usage?from=${to}&to=${from}&by=day`, { token: BOOTSTRAP });
  assert.deepEqual(reversed.json.errors, [{ field: 'to', message: 'must be after from, within 366 days' }]);
  const currency = await call(t, 'POST', '/tenants/default/tariffs', { token: BOOTSTRAP, body: { valid_from: '2030-01-01', price: '4', currency: 'EUR' } });
  assert.equal(currency.status, 400);
  assert.equal(currency.json.errors[0].field, 'currency');
  const tariffs = await call(t, 'GET', '/tenants/default/tariffs', { token: BOOTSTRAP });
  assert.deepEqual(tariffs.json.items.map((x: { valid_from: string }) => x.valid_from), [`${thisMonth}-01`], 'the refused tariff left nothing');
});
