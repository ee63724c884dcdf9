/**
 * Requests under an extension that carries its own request in one authorization parameter (the oidc.se Signature
 * Extension's signRequest, Brygga's paymentRequest), for end-to-end tests: pushed as a signed request object, pushed
 * as JSON, or sent as a signed JWT; the person's approval in the simulated app; the consent page that follows.
 */
import assert from 'node:assert/strict';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import * as oidc from 'openid-client';
import type { ClientMetadata } from '../../src/storage/clients.ts';
import type { TestBroker } from './broker.ts';
import { field, HttpBrowser, type Step } from './http-browser.ts';
import { afterOrder, authorize, callbackOf, discover, interactionUid, login, REDIRECT_URI, settled, startQr, TEST_PERSON, type Authorization, type BrokerAt } from './rp.ts';

/** A client that sends the extension's requests, and what the broker must show it. */
export interface ExtensionClient {
  config: oidc.Configuration;
  /** The scopes of a request under the extension. */
  scope: string;
  /** The authorization parameter that carries the extension's request. */
  param: string;
  /** The client's registered signing key and its kid: request objects and the parameter's JWT are signed with them. */
  key: CryptoKey;
  kid: string;
  /** What the consent page after the order must say (at least one text, so that the page is always checked). */
  consentTexts: [RegExp, ...RegExp[]];
}

/**
 * Registers a first-party client that authenticates and signs its request objects with an ES256 key of its own
 * (`metadata` names it and its scopes, and may add more), and discovers it.
 */
export async function registerExtensionClient(
  t: TestBroker, metadata: ClientMetadata, extension: Pick<ExtensionClient, 'scope' | 'param' | 'consentTexts'>,
): Promise<ExtensionClient> {
  const { privateKey: key, publicKey } = await generateKeyPair('ES256');
  const kid = `${metadata.client_id}-1`;
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  await t.broker.clients.save({
    redirect_uris: [REDIRECT_URI], brygga_first_party: true, token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256',
    request_object_signing_alg: 'ES256', jwks: { keys: [jwk] }, ...metadata,
  });
  const config = await discover(t, metadata.client_id, oidc.PrivateKeyJwt({ key, kid }));
  return { config, key, kid, ...extension };
}

async function pkce() {
  const verifier = oidc.randomPKCECodeVerifier();
  return { verifier, state: oidc.randomState(), nonce: oidc.randomNonce(), challenge: await oidc.calculatePKCECodeChallenge(verifier) };
}

/** Every extension request must prompt for both login and consent; tests override `prompt` to break that rule. */
const PROMPT = 'login consent';

/** The request pushed (PAR) as a request object signed with the client's key; the browser opens it. */
export async function pushedRequestObject(
  t: BrokerAt, client: ExtensionClient, request: Record<string, unknown>, params: Record<string, string> = {}, browser = new HttpBrowser(),
): Promise<Authorization> {
  const p = await pkce();
  const { searchParams } = await oidc.buildAuthorizationUrlWithJAR(client.config, {
    redirect_uri: REDIRECT_URI, scope: client.scope, prompt: PROMPT, state: p.state, nonce: p.nonce,
    code_challenge: p.challenge, code_challenge_method: 'S256', [client.param]: JSON.stringify(request), ...params,
  }, { key: client.key, kid: client.kid });
  const url = await oidc.buildAuthorizationUrlWithPAR(client.config, searchParams);
  const step = await browser.follow(await browser.get(url.href), (u) => !u.startsWith(t.broker.url));
  return { browser, step, verifier: p.verifier, state: p.state, nonce: p.nonce };
}

/**
 * The request pushed (PAR) by the authenticated client with the parameter as plain JSON, which oidc-provider trusts as
 * a whole; not opened, so a refusal rejects here.
 */
export async function pushedParameter(client: ExtensionClient, request: Record<string, unknown>, params: Record<string, string> = {}): Promise<URL> {
  const p = await pkce();
  return oidc.buildAuthorizationUrlWithPAR(client.config, {
    redirect_uri: REDIRECT_URI, scope: client.scope, prompt: PROMPT, state: p.state, code_challenge: p.challenge, code_challenge_method: 'S256',
    [client.param]: JSON.stringify(request), ...params,
  });
}

/** The parameter as a JWT from the client, signed with `key` (its own, or one it never registered) under its kid. */
export function signedParam(t: BrokerAt, client: ExtensionClient, key: CryptoKey, payload: Record<string, unknown>): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: client.kid })
    .setIssuer(client.config.clientMetadata().client_id).setAudience(t.broker.url).setIssuedAt().sign(key);
}

/** A plain authorization request (no PAR): where it ends is the error the client's callback gets. */
async function refusedAtAuthorization(t: BrokerAt, client: ExtensionClient, params: Record<string, string>): Promise<URLSearchParams> {
  const { step } = await authorize(t, client.config, { scope: client.scope, prompt: PROMPT, ...params });
  return callbackOf(step).searchParams;
}

/**
 * Plain authorization requests that each break a rule: the client's callback gets `invalid_request` with a
 * description that matches (`what` names the failing case).
 */
export async function assertRefusedAtAuthorization(t: BrokerAt, client: ExtensionClient, cases: [what: string, params: Record<string, string>, described: RegExp][]): Promise<void> {
  for (const [what, params, described] of cases) {
    const refused = await refusedAtAuthorization(t, client, params);
    assert.equal(refused.get('error'), 'invalid_request', what);
    assert.match(refused.get('error_description')!, described, what);
  }
}

/**
 * On the login page: the person scans and approves the order in the app (`approval` as the simulator's control API
 * takes it, TEST_PERSON unless it names another) and the page's order settles, in whatever state.
 */
export async function approveInApp(t: BrokerAt, auth: Pick<Authorization, 'browser' | 'step'>, approval: Record<string, unknown> = {}) {
  const { uid, orderRef } = await startQr(t, auth);
  const approved = await t.sim.post(`/sim/orders/${orderRef}/approve`, { personalNumber: TEST_PERSON, ...approval });
  assert.equal(approved.status, 200, JSON.stringify(approved.json));
  const status = await settled(t, auth.browser, uid);
  return { uid, orderRef, status, request: approved.json.request as Record<string, unknown> };
}

/** After a completed order: the consent page says what is approved, the person allows, the browser follows to the client. */
export async function consentAndReturn(t: BrokerAt, client: ExtensionClient, browser: HttpBrowser, uid: string): Promise<Step> {
  const consent = await afterOrder(t, browser, uid);
  const consentUid = interactionUid(consent);
  for (const text of client.consentTexts) assert.match(consent.body, text);
  const posted = await browser.post(`${t.broker.url}/interaction/${consentUid}/consent`, { csrf: field(consent.body, 'csrf'), decision: 'allow' });
  return browser.follow(posted, (u) => !u.startsWith(t.broker.url));
}

/** The whole request in `browser`, from the push to the client's callback, for tests of what it leaves behind. */
export async function completedInBrowser(t: BrokerAt, client: ExtensionClient, request: Record<string, unknown>, browser: HttpBrowser): Promise<URL> {
  const auth = await pushedRequestObject(t, client, request, {}, browser);
  const { uid } = await approveInApp(t, auth);
  return callbackOf(await consentAndReturn(t, client, browser, uid));
}

/** The BankID order ran as `operation` and its ledger row counts that operation with `outcome`; returns the row. */
export async function assertLedgered(t: TestBroker, orderRef: string, operation: string, outcome: string) {
  const { db } = t.broker.database;
  const order = await db.selectFrom('bankid_orders').select(['id', 'operation']).where('order_ref', '=', orderRef).executeTakeFirstOrThrow();
  assert.equal(order.operation, operation, 'the order\'s operation');
  const ledger = await db.selectFrom('usage_ledger').selectAll().where('order_id', '=', order.id).executeTakeFirstOrThrow();
  assert.equal(ledger.operation, operation, 'the ledger row\'s operation');
  assert.equal(ledger.outcome, outcome);
  return ledger;
}

/**
 * The control of a single sign-on test: after an identification at `client` in a new browser, `partner` (the client
 * itself or one of its SSO group) gets a code without a prompt. Returns the browser that holds the session.
 */
export async function identifiedBrowser(t: BrokerAt, client: oidc.Configuration, partner: oidc.Configuration): Promise<HttpBrowser> {
  const browser = new HttpBrowser();
  await login(t, client, { scope: 'openid' }, browser);
  const silent = await authorize(t, partner, { prompt: 'none' }, browser);
  assert.ok(callbackOf(silent.step).searchParams.get('code'), `an identification gives ${partner.clientMetadata().client_id} single sign-on`);
  return browser;
}

/** Each client asks without a prompt in `browser` and must log in: nothing there gives it single sign-on. */
export async function assertNoSingleSignOn(t: BrokerAt, browser: HttpBrowser, configs: oidc.Configuration[]): Promise<void> {
  for (const config of configs) {
    const after = await authorize(t, config, { prompt: 'none' }, browser);
    assert.equal(callbackOf(after.step).searchParams.get('error'), 'login_required', config.clientMetadata().client_id);
  }
}
