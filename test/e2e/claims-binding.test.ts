/**
 * Claims belong to the login that issued the token (never to another login or client), and a client can bind a
 * login to one person through the claims parameter's `value`.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import * as oidc from 'openid-client';
import { OIDC_SE } from '../../src/oidc/claims.ts';
import { applyRetention } from '../../src/storage/retention.ts';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';
import { afterOrder, authorize, callbackOf, discover, REDIRECT_URI, settled, startQr, TEST_PERSON } from '../helpers/rp.ts';

let t: TestBroker;
let clientA: oidc.Configuration;
let clientB: oidc.Configuration;
const secret = 'rp-secret-0123456789abcdefghijklmnop';
const scope = `openid profile bankid ${OIDC_SE.naturalPersonNumber}`;
const OTHER = '200001012384';

before(async () => {
  t = await startTestBroker();
  for (const id of ['client-a', 'client-b']) {
    await t.broker.clients.save({ client_id: id, client_secret: secret, client_name: id, redirect_uris: [REDIRECT_URI], brygga_first_party: true, scope });
  }
  clientA = await discover(t, 'client-a', oidc.ClientSecretBasic(secret));
  clientB = await discover(t, 'client-b', oidc.ClientSecretBasic(secret));
});
after(async () => { await t?.close(); });

const claimsFor = (person: string) => JSON.stringify({ id_token: { [OIDC_SE.personalIdentityNumber]: { essential: true, value: person } } });

/** A login approved by `approver`; returns the order, where the browser ended up, and the authorization. */
async function loginAs(config: oidc.Configuration, approver: string, params: Record<string, string> = {}) {
  const auth = await authorize(t, config, { scope, ...params });
  const { uid, orderRef } = await startQr(t, auth);
  const approved = await t.sim.post(`/sim/orders/${orderRef}/approve`, { personalNumber: approver });
  assert.equal(approved.status, 200, JSON.stringify(approved.json));
  return { auth, uid, orderRef, approved: approved.json, status: await settled(t, auth.browser, uid) };
}

async function tokensOf(config: oidc.Configuration, login: Awaited<ReturnType<typeof loginAs>>) {
  assert.equal(login.status.state, 'complete');
  const callback = callbackOf(await afterOrder(t, login.auth.browser, login.uid));
  return oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: login.auth.verifier, expectedState: login.auth.state, expectedNonce: login.auth.nonce });
}

test("a client's userinfo and ID token show its own login, not the same person's later login at another client", async () => {
  const a = await loginAs(clientA, TEST_PERSON);
  const tokensA = await tokensOf(clientA, a);
  const b = await loginAs(clientB, TEST_PERSON);
  const tokensB = await tokensOf(clientB, b);
  assert.notEqual(a.orderRef, b.orderRef);
  assert.equal(tokensA.claims()!.txn, a.orderRef);
  assert.equal(tokensB.claims()!.txn, b.orderRef);
  const sub = tokensA.claims()!.sub;
  assert.equal(tokensB.claims()!.sub, sub, 'the same person');
  assert.equal((await oidc.fetchUserInfo(clientA, tokensA.access_token, sub)).txn, a.orderRef);
  assert.equal((await oidc.fetchUserInfo(clientB, tokensB.access_token, sub)).txn, b.orderRef);
});

test('a claims value binds the BankID order to that person', async () => {
  const login = await loginAs(clientA, TEST_PERSON, { claims: claimsFor(TEST_PERSON) });
  const request = login.approved.request as { requirement: { personalNumber: string } };
  assert.equal(request.requirement.personalNumber, TEST_PERSON);
  const tokens = await tokensOf(clientA, login);
  assert.equal(tokens.claims()![OIDC_SE.personalIdentityNumber], TEST_PERSON);
});

test('another person cannot complete an order bound to someone else', async () => {
  const login = await loginAs(clientA, OTHER, { claims: claimsFor(TEST_PERSON) });
  assert.equal(login.status.state, 'failed');
  assert.equal(login.status.hintCode, 'certificateErr');
});

test('a completion for another person than asked is refused even if BankID returned one', async () => {
  const login = await loginAs(clientA, TEST_PERSON, { claims: claimsFor(TEST_PERSON) });
  assert.equal(login.status.state, 'complete');
  // As if BankID had completed the order for someone else: the broker must not pass that person on.
  await sql`update bankid_orders set completion = jsonb_set(completion, '{user,personalNumber}', to_jsonb(${OTHER}::text)) where order_ref = ${login.orderRef}`.execute(t.broker.database.db);
  const callback = callbackOf(await afterOrder(t, login.auth.browser, login.uid));
  assert.equal(callback.searchParams.get('error'), 'access_denied');
  assert.equal(callback.searchParams.get('code'), null);
});

test('an invalid person value or an essential claim no login can give is refused at the authorization request', async () => {
  for (const [claims, described] of [
    [claimsFor('199908072392'), /valid 12-digit/],
    [JSON.stringify({ id_token: { [OIDC_SE.personalIdentityNumber]: { value: TEST_PERSON }, [OIDC_SE.coordinationNumber]: { value: '197010632391' } } }), /two different persons/],
    [JSON.stringify({ userinfo: { 'https://id.oidc.se/claim/orgNumber': { essential: true } } }), /cannot be provided/],
  ] as const) {
    const { step } = await authorize(t, clientA, { scope, claims });
    const callback = callbackOf(step);
    assert.equal(callback.searchParams.get('error'), 'invalid_request', claims);
    assert.match(callback.searchParams.get('error_description')!, described);
  }
});

test("once a login's personal data is deleted, its tokens still work and carry only sub", async () => {
  const login = await loginAs(clientA, TEST_PERSON);
  const tokens = await tokensOf(clientA, login);
  await sql`update bankid_orders set completed_at = completed_at - interval '2 hours' where order_ref = ${login.orderRef}`.execute(t.broker.database.db);
  const done = await applyRetention(t.broker.database.db, t.broker.config.retention);
  assert.ok(done.stripped >= 1);
  const sub = tokens.claims()!.sub;
  const info = await oidc.fetchUserInfo(clientA, tokens.access_token, sub);
  assert.equal(info.sub, sub);
  assert.equal(info.txn, undefined);
  assert.equal(info[OIDC_SE.personalIdentityNumber], undefined);
});
