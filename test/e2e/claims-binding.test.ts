/**
 * Claims belong to the login that issued the token (never to another login or client), and a client can bind a
 * login to one person through the claims parameter's `value`.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import { OIDC_SE } from '../../src/oidc/claims.ts';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';
import { OidcLogins } from '../helpers/oidc-login.ts';

let t: TestBroker;
let logins: OidcLogins;
let clientA: oidc.Configuration;
let clientB: oidc.Configuration;
const secret = 'rp-secret-0123456789abcdefghijklmnop';
const scope = `openid profile bankid ${OIDC_SE.naturalPersonNumber}`;
const TOLVAN = '199908072391';
const OTHER = '200001012384';

before(async () => {
  t = await startTestBroker();
  logins = new OidcLogins(t, 'https://rp.example/callback');
  for (const id of ['client-a', 'client-b']) {
    await t.broker.clients.save({ client_id: id, client_secret: secret, client_name: id, redirect_uris: [logins.redirectUri], brygga_first_party: true, scope });
  }
  clientA = await logins.discover('client-a', secret);
  clientB = await logins.discover('client-b', secret);
});
after(async () => { await t?.close(); });

const claimsFor = (person: string) => JSON.stringify({ id_token: { [OIDC_SE.personalIdentityNumber]: { essential: true, value: person } } });

test("a client's userinfo and ID token show its own login, not the same person's later login at another client", async () => {
  const a = await logins.login(clientA, scope, TOLVAN);
  const b = await logins.login(clientB, scope, TOLVAN);
  assert.notEqual(a.orderRef, b.orderRef);
  assert.equal(a.tokens.claims()!.txn, a.orderRef);
  assert.equal(b.tokens.claims()!.txn, b.orderRef);
  const sub = a.tokens.claims()!.sub;
  assert.equal(b.tokens.claims()!.sub, sub, 'the same person');
  const infoA = await oidc.fetchUserInfo(clientA, a.tokens.access_token, sub);
  const infoB = await oidc.fetchUserInfo(clientB, b.tokens.access_token, sub);
  assert.equal(infoA.txn, a.orderRef);
  assert.equal(infoB.txn, b.orderRef);
});

test('a claims value binds the BankID order to that person', async () => {
  const login = await logins.begin(clientA, scope, { claims: claimsFor(TOLVAN) });
  const orderRef = await logins.startQr(login);
  const order = await t.sim.post(`/sim/orders/${orderRef}/approve`, { personalNumber: TOLVAN });
  const request = order.json.request as { requirement: { personalNumber: string } };
  assert.equal(request.requirement.personalNumber, TOLVAN);
  assert.equal((await logins.settled(login)).state, 'complete');
  const tokens = await oidc.authorizationCodeGrant(clientA, await logins.callback(login), { pkceCodeVerifier: login.verifier, expectedState: login.state, expectedNonce: login.nonce });
  assert.equal(tokens.claims()![OIDC_SE.personalIdentityNumber], TOLVAN);
});

test('another person cannot complete an order bound to someone else', async () => {
  const login = await logins.begin(clientA, scope, { claims: claimsFor(TOLVAN) });
  const orderRef = await logins.startQr(login);
  await t.sim.post(`/sim/orders/${orderRef}/approve`, { personalNumber: OTHER });
  const settled = await logins.settled(login);
  assert.equal(settled.state, 'failed');
  assert.equal(settled.hintCode, 'certificateErr');
});

test('a completion for another person than asked is refused even if BankID returned one', async () => {
  const login = await logins.begin(clientA, scope, { claims: claimsFor(TOLVAN) });
  const orderRef = await logins.startQr(login);
  await t.sim.post(`/sim/orders/${orderRef}/approve`, { personalNumber: TOLVAN });
  assert.equal((await logins.settled(login)).state, 'complete');
  // As if BankID had completed the order for someone else: the broker must not pass that person on.
  const { sql } = await import('kysely');
  await sql`update bankid_orders set completion = jsonb_set(completion, '{user,personalNumber}', to_jsonb(${OTHER}::text)) where order_ref = ${orderRef}`.execute(t.broker.database.db);
  const callback = await logins.callback(login);
  assert.equal(callback.searchParams.get('error'), 'access_denied');
  assert.equal(callback.searchParams.get('code'), null);
});

test('an invalid person value or an essential claim no login can give is refused at the authorization request', async () => {
  for (const [claims, described] of [
    [claimsFor('199908072392'), /valid 12-digit/],
    [JSON.stringify({ id_token: { [OIDC_SE.personalIdentityNumber]: { value: TOLVAN }, [OIDC_SE.coordinationNumber]: { value: '197010632391' } } }), /two different persons/],
    [JSON.stringify({ userinfo: { 'https://id.oidc.se/claim/orgNumber': { essential: true } } }), /cannot be provided/],
  ] as const) {
    const url = oidc.buildAuthorizationUrl(clientA, { redirect_uri: logins.redirectUri, scope, state: 's', claims, code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
    const response = await fetch(url, { redirect: 'manual' });
    const location = new URL(response.headers.get('location')!);
    assert.equal(location.searchParams.get('error'), 'invalid_request', claims);
    assert.match(location.searchParams.get('error_description')!, described);
  }
});

test("once a login's personal data is deleted, its tokens still work and carry only sub", async () => {
  const a = await logins.login(clientA, scope, TOLVAN);
  const { sql } = await import('kysely');
  const { applyRetention } = await import('../../src/storage/retention.ts');
  await sql`update bankid_orders set completed_at = completed_at - interval '2 hours' where order_ref = ${a.orderRef}`.execute(t.broker.database.db);
  const done = await applyRetention(t.broker.database.db, t.broker.config.retention);
  assert.ok(done.stripped >= 1);
  const sub = a.tokens.claims()!.sub;
  const info = await oidc.fetchUserInfo(clientA, a.tokens.access_token, sub);
  assert.equal(info.sub, sub);
  assert.equal(info.txn, undefined);
  assert.equal(info[OIDC_SE.personalIdentityNumber], undefined);
});
