/**
 * Logins run with the client's settings narrowed by its tenant's policy (src/tenants/policy.ts), through real logins:
 * the start methods offered and accepted, the requirement BankID receives, the order-start cap, the SSO group, the
 * acr in the ID token and the acr a request may ask for. A policy change reaches the next login on every replica.
 * Also the per-client refresh-token settings. The default tenant's policy is changed test by test.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import type { RunningBroker } from '../../src/broker.ts';
import type { TenantPolicy } from '../../src/tenants/policy.ts';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';
import { field, HttpBrowser } from '../helpers/http-browser.ts';
import { authorize, bankIdLogin, callbackOf, discover, interactionUid, login, REDIRECT_URI, startQr } from '../helpers/rp.ts';
import { until } from '../helpers/until.ts';

let t: TestBroker;
let replica: RunningBroker;
const secret = 'policy-secret-0123456789abcdefghijk';
const LOA3 = 'http://id.elegnamnden.se/loa/1.0/loa3';
const UNCERTIFIED_LOA3 = 'http://id.swedenconnect.se/loa/1.0/uncertified-loa3';

before(async () => {
  // A deployment that may assert loa3 (an audited one), so a tenant may pick it.
  t = await startTestBroker({ ACR_SUPPORTED: `${UNCERTIFIED_LOA3},${LOA3}` });
  replica = await t.replica();
});
after(async () => { await t?.close(); });

async function client(clientId: string, extra: Record<string, unknown> = {}): Promise<oidc.Configuration> {
  await t.broker.clients.save({ client_id: clientId, client_secret: secret, client_name: clientId, redirect_uris: [REDIRECT_URI], brygga_first_party: true, ...extra });
  return discover(t, clientId, oidc.ClientSecretBasic(secret));
}

/**
 * Sets the default tenant's policy through the tenant service, then waits (briefly, far below the client cache's
 * 5 s) until neither replica holds these clients any more: only the change notification drops them that soon.
 */
async function setPolicy(policy: TenantPolicy, clientIds: string[] = []): Promise<void> {
  const tenant = await t.broker.tenants.get('default');
  await t.broker.tenants.update({ id: tenant.id, name: tenant.name, contacts: tenant.contacts, policy });
  await until(async () => clientIds.filter((id) => t.broker.clients.cached(id) || replica.clients.cached(id)), (held) => held.length === 0, 'the policy change reached both replicas', 40, 50);
}

const errorOf = (location: string | undefined) => Object.fromEntries(new URL(location!).searchParams);
const methodsOn = (body: string) => [...body.matchAll(/<input type="hidden" name="method" value="(\w+)">/g)].map((m) => m[1]).sort();

test('the page offers only the start methods the tenant allows; a forbidden one is refused in both languages, nothing sent to BankID', async () => {
  await setPolicy({});
  const rp = await client('pol-methods');
  assert.deepEqual(methodsOn((await authorize(t, rp)).step.body), ['qr', 'same_device']);

  await setPolicy({ startMethods: ['qr'] }, ['pol-methods']);
  const { browser, step } = await authorize(t, rp);
  assert.deepEqual(methodsOn(step.body), ['qr']);
  const ordersBefore = (await t.sim.orders()).length;
  const uid = interactionUid(step);
  for (const [lang, text] of [['sv', 'Det här sättet att starta BankID är inte tillåtet för tjänsten.'], ['en', 'This way of starting BankID is not allowed for the service.']]) {
    const refused = await browser.post(`${t.broker.url}/interaction/${uid}/start?lang=${lang}`, { csrf: field(step.body, 'csrf'), method: 'same_device' });
    assert.equal(refused.status, 400);
    assert.match(refused.headers.get('content-type')!, /^text\/html/);
    assert.ok(refused.body.includes(text), refused.body.slice(0, 300));
  }
  assert.equal((await t.sim.orders()).length, ordersBefore);
});

test('BankID receives the client\'s requirement raised to the tenant\'s floor', async () => {
  await setPolicy({ requirement: { pinCode: true, certificatePolicies: ['1.2.752.78.1.5'] } });
  const rp = await client('pol-requirement', { brygga_requirement: { cardReader: 'class1' } });
  const { orderRef } = await startQr(t, await authorize(t, rp));
  const order = await t.sim.order(orderRef);
  assert.deepEqual((order!.request as { requirement: unknown }).requirement, { cardReader: 'class1', pinCode: true, certificatePolicies: ['1.2.752.78.1.5'] });
});

test('the tenant caps how many orders a client may start per minute', async () => {
  await setPolicy({ startsPerClientPerMinute: 1 });
  const rp = await client('pol-rate');
  await startQr(t, await authorize(t, rp));
  const ordersBefore = (await t.sim.orders()).length;
  const { browser, step } = await authorize(t, rp);
  const refused = await browser.post(`${t.broker.url}/interaction/${interactionUid(step)}/start?lang=en`, { csrf: field(step.body, 'csrf'), method: 'qr' });
  assert.equal(refused.status, 429, refused.body.slice(0, 300));
  assert.ok(refused.body.includes('Too many attempts.'));
  assert.equal((await t.sim.orders()).length, ordersBefore);
});

test('an SSO group the tenant no longer allows shares no session', async () => {
  await setPolicy({ ssoGroups: ['kommun'] });
  const [one, two] = [await client('pol-sso-1', { brygga_sso_group: 'kommun' }), await client('pol-sso-2', { brygga_sso_group: 'kommun' })];
  const browser = new HttpBrowser();
  await login(t, one, {}, browser);
  callbackOf((await authorize(t, two, {}, browser)).step);

  await setPolicy({ ssoGroups: [] }, ['pol-sso-1', 'pol-sso-2']);
  const { step } = await authorize(t, two, {}, browser);
  interactionUid(step);
  assert.deepEqual(methodsOn(step.body), ['qr', 'same_device'], 'the BankID start page');
});

test('the ID token asserts the tenant\'s acr; a request for an acr the client\'s logins do not get is refused before any order', async () => {
  await setPolicy({ acr: LOA3 });
  const rp = await client('pol-acr');
  const { tokens } = await login(t, rp);
  assert.equal(tokens.claims()!.acr, LOA3);
  interactionUid((await authorize(t, rp, { acr_values: `${UNCERTIFIED_LOA3} ${LOA3}` })).step);

  const ordersBefore = (await t.sim.orders()).length;
  const unmet: Record<string, string>[] = [{ acr_values: UNCERTIFIED_LOA3 }, { claims: JSON.stringify({ id_token: { acr: { essential: true, value: UNCERTIFIED_LOA3 } } }) }];
  for (const params of unmet) {
    const { error, error_description: description } = errorOf((await authorize(t, rp, params)).step.location);
    assert.equal(error, 'unmet_authentication_requirements', JSON.stringify(params));
    assert.ok(description!.includes(LOA3), description);
  }
  // Back to the broker's ACR: loa3 is what these logins no longer get.
  await setPolicy({}, ['pol-acr']);
  assert.equal(errorOf((await authorize(t, rp, { acr_values: LOA3 })).step.location).error, 'unmet_authentication_requirements');
  assert.equal((await t.sim.orders()).length, ordersBefore);
});

test('a deployment that may not assert the tenant\'s acr asserts ACR instead, and advertises only what it may assert', async () => {
  const uncertified = await t.replica({ ACR_SUPPORTED: UNCERTIFIED_LOA3 });
  const discovery = async (url: string) => (await (await fetch(`${url}/.well-known/openid-configuration`)).json()) as { acr_values_supported: string[] };
  assert.deepEqual((await discovery(t.broker.url)).acr_values_supported, [UNCERTIFIED_LOA3, LOA3]);
  assert.deepEqual((await discovery(uncertified.url)).acr_values_supported, [UNCERTIFIED_LOA3]);
  await setPolicy({ acr: LOA3 });
  await t.broker.clients.save({ client_id: 'pol-acr-uncertified', client_secret: secret, redirect_uris: [REDIRECT_URI], brygga_first_party: true });
  const via = { ...t, broker: uncertified };
  const { tokens } = await login(via, await discover(via, 'pol-acr-uncertified', oidc.ClientSecretBasic(secret)));
  assert.equal(tokens.claims()!.acr, UNCERTIFIED_LOA3);
  await setPolicy({}, ['pol-acr-uncertified']);
});

test('a policy change through the tenant service is seen by the next login on every replica', async () => {
  await setPolicy({});
  const viaReplica = { ...t, broker: replica };
  const rps = [await client('pol-replicas'), await discover(viaReplica, 'pol-replicas', oidc.ClientSecretBasic(secret))];
  const pages = async () => [methodsOn((await authorize(t, rps[0]!)).step.body), methodsOn((await authorize(viaReplica, rps[1]!)).step.body)];
  assert.deepEqual(await pages(), [['qr', 'same_device'], ['qr', 'same_device']]);
  assert.ok(t.broker.clients.cached('pol-replicas') && replica.clients.cached('pol-replicas'), 'both replicas hold the client');

  await setPolicy({ startMethods: ['same_device'] }, ['pol-replicas']);
  assert.deepEqual(await pages(), [['same_device'], ['same_device']]);
});

/** A login with `offline_access`, which needs a consent prompt (and a client that is not first-party, to see it). */
async function offlineLogin(rp: oidc.Configuration) {
  const auth = await authorize(t, rp, { scope: 'openid offline_access', prompt: 'consent' });
  const consent = await bankIdLogin(t, auth);
  const uid = interactionUid(consent);
  const given = await auth.browser.post(`${t.broker.url}/interaction/${uid}/consent`, { csrf: field(consent.body, 'csrf') });
  const back = await auth.browser.follow(given, (u) => !u.startsWith(t.broker.url));
  return oidc.authorizationCodeGrant(rp, callbackOf(back), { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce });
}

test('refresh tokens per client: none when turned off, the client\'s lifetime when set', async () => {
  await setPolicy({});
  const refreshing = { grant_types: ['authorization_code', 'refresh_token'], scope: 'openid offline_access', brygga_first_party: false };
  const off = await client('rt-off', { ...refreshing, brygga_refresh_tokens: false });
  const short = await client('rt-short', { ...refreshing, brygga_refresh_token_ttl_s: 600 });

  const offTokens = await offlineLogin(off);
  assert.ok(offTokens.access_token);
  assert.equal(offTokens.refresh_token, undefined);

  const shortTokens = await offlineLogin(short);
  assert.ok(shortTokens.refresh_token);
  const introspected = await oidc.tokenIntrospection(short, shortTokens.refresh_token);
  assert.equal(introspected.active, true);
  assert.equal(introspected.client_id, 'rt-short');
  assert.equal(introspected.exp! - introspected.iat!, 600);
  const refreshed = await oidc.refreshTokenGrant(short, shortTokens.refresh_token);
  assert.ok(refreshed.access_token);
});

test('refresh-token settings are validated like every client setting', async () => {
  for (const [setting, value] of [['brygga_refresh_tokens', 'yes'], ['brygga_refresh_token_ttl_s', 30], ['brygga_refresh_token_ttl_s', 1.5]] as const) {
    const rp = await client('rt-bad', { [setting]: value });
    const { step } = await authorize(t, rp);
    assert.equal(step.status, 400, `${setting} ${value}`);
    assert.ok(step.body.includes(setting), step.body.slice(0, 300));
  }
});
