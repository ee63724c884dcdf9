/**
 * The usage report over the admin API after real logins through the broker: JSON and CSV with the same numbers,
 * tariffs through the API (audited), a tenant admin sees its own tenant only, and bad input is a clear 400. Also the
 * login's domain events as the broker emits them.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import { BOOTSTRAP, call, clientCredentialsToken, startAdminBroker } from '../admin/support.ts';
import type { TestBroker } from '../helpers/broker.ts';
import { field } from '../helpers/http-browser.ts';
import { authorize, bankIdLogin, discover, login as loginAt } from '../helpers/rp.ts';
import type { DomainEventMap } from '../../src/events/types.ts';
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

/** A whole login through the simulator, as the person and the client do it. */
const login = () => loginAt(t, rp, { scope: 'openid profile' });

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
  assert.deepEqual(client.billable_by_operation, { auth: 2, sign: 0, payment: 0 }, 'two identifications, no signature');

  const response = await fetch(`${t.broker.url}/admin/api/tenants/default/usage?month=${thisMonth}&format=csv`, { headers: { authorization: `Bearer ${BOOTSTRAP}` } });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/csv/);
  assert.match(response.headers.get('content-disposition') ?? '', /attachment; filename="usage-default-\d{4}-\d{2}\.csv"/);
  const [header, ...lines] = (await response.text()).trimEnd().split('\r\n').map((l) => l.split(','));
  assert.equal(lines.length, json.json.rows.length);
  for (const [i, row] of (json.json.rows as Record<string, unknown>[]).entries()) {
    const csv = Object.fromEntries(header!.map((h, j) => [h, lines[i]![j]]));
    for (const key of header!.filter((h) => !h.includes(':'))) assert.equal(csv[key], row[key] === null ? '' : String(row[key]), key);
    for (const op of ['auth', 'sign']) assert.equal(csv[`billable:${op}`], String((row.billable_by_operation as Record<string, number>)[op]), `billable:${op}`);
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

test('a login emits its domain events: order started and completed, consent given, ID token issued, logout', { timeout: 60_000 }, async () => {
  const seen: [string, unknown][] = [];
  const names = ['order.started', 'order.completed', 'login.consent_given', 'login.id_token_issued', 'login.logout'] as const;
  const offs = names.map((name) => t.broker.events.on(name, (event: DomainEventMap[typeof name]) => seen.push([name, event])));
  try {
    await t.broker.clients.save({ client_id: 'third-rp', client_secret: secret, client_name: 'Third party', redirect_uris: ['https://rp.example/callback'], post_logout_redirect_uris: ['https://rp.example/bye'], scope: 'openid profile' });
    const third = await discover(t, 'third-rp', oidc.ClientSecretBasic(secret));
    const auth = await authorize(t, third, { scope: 'openid profile' });
    const consent = await bankIdLogin(t, auth);
    assert.match(consent.body, /Third party/);
    const uid = /\/interaction\/([\w-]+)/.exec(consent.url)![1]!;
    const allowed = await auth.browser.post(`${t.broker.url}/interaction/${uid}/consent`, { csrf: field(consent.body, 'csrf') });
    const back = await auth.browser.follow(allowed, (u) => u.startsWith('https://rp.example/'));
    const tokens = await oidc.authorizationCodeGrant(third, new URL(back.location!), { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce });
    const logout = await auth.browser.get(oidc.buildEndSessionUrl(third, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://rp.example/bye' }).href);
    assert.equal((await auth.browser.post(`${t.broker.url}/session/end/confirm`, { xsrf: field(logout.body, 'xsrf'), logout: 'yes' })).status, 303);
  } finally {
    for (const off of offs) off();
  }
  assert.deepEqual(seen.map(([name]) => name), ['order.started', 'order.completed', 'login.consent_given', 'login.id_token_issued', 'login.logout']);
  assert.equal((seen[0]![1] as DomainEventMap['order.started']).clientId, 'third-rp');
  for (const [, event] of seen.slice(2)) assert.equal((event as { clientId?: string }).clientId, 'third-rp');
  assert.ok(!JSON.stringify(seen).includes('199908072391'), 'no personal number in any event');
});
