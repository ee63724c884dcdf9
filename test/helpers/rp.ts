/**
 * A relying party's side of a login for end-to-end tests: openid-client builds the request, an HttpBrowser follows
 * the broker's redirects, and the simulator plays the person's BankID app.
 */
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import type { SimulatorControl } from './broker.ts';
import { field, HttpBrowser, type Step } from './http-browser.ts';

/** Where the broker answers and the simulator's control: a TestBroker, or broker processes behind one public URL. */
export interface BrokerAt {
  broker: { url: string };
  sim: SimulatorControl;
}

export const REDIRECT_URI = 'https://rp.example/callback';
export const TEST_PERSON = '199908072391';

/** Discovery for a client of the test broker, over plain HTTP. */
export function discover(t: BrokerAt, clientId: string, auth: oidc.ClientAuth, metadata?: Partial<oidc.ClientMetadata>): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(t.broker.url), clientId, metadata, auth, { execute: [oidc.allowInsecureRequests] });
}

export interface Authorization {
  browser: HttpBrowser;
  verifier: string;
  state: string;
  nonce: string;
  /** Where the broker's redirects ended: its own page (login, consent, error) or a redirect to the client. */
  step: Step;
}

/** Sends a browser to the authorization endpoint and follows the broker's redirects (not the one to the client). */
export async function authorize(t: BrokerAt, config: oidc.Configuration, params: Record<string, string> = {}, browser = new HttpBrowser()): Promise<Authorization> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI, scope: 'openid', state, nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...params,
  });
  const step = await browser.follow(await browser.get(url.href), (u) => !u.startsWith(t.broker.url));
  return { browser, verifier, state, nonce, step };
}

/** The interaction of a step that is the broker's login or consent page. */
export function interactionUid(step: Step): string {
  const uid = /\/interaction\/([\w-]+)$/.exec(new URL(step.url).pathname)?.[1];
  assert.ok(step.status === 200 && uid, `expected an interaction page, got ${step.status} ${step.url} ${step.location ?? ''} ${step.body.slice(0, 200)}`);
  return uid;
}

/** The client's callback URL the broker redirected to. */
export function callbackOf(step: Step): URL {
  assert.ok(step.location?.startsWith(REDIRECT_URI), `expected a redirect to the client, got ${step.status} ${step.url} ${step.location ?? ''} ${step.body.slice(0, 200)}`);
  return new URL(step.location!);
}

/** Polls the page's status until the order leaves `pending` (bounded); returns the final status. */
export async function settled(t: BrokerAt, browser: HttpBrowser, uid: string): Promise<{ state: string; hintCode?: string }> {
  for (let i = 0; i < 40; i++) {
    const step = await browser.get(`${t.broker.url}/interaction/${uid}/status`, { accept: 'application/json' });
    assert.equal(step.status, 200, step.body);
    const status = JSON.parse(step.body) as { state: string; hintCode?: string };
    if (status.state !== 'pending') return status;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the BankID order did not settle in time');
}

/** On a login page (`step`): starts a QR order and lets the simulated app scan it; returns the interaction and order. */
export async function startQr(t: BrokerAt, { browser, step }: Pick<Authorization, 'browser' | 'step'>): Promise<{ uid: string; orderRef: string }> {
  const uid = interactionUid(step);
  const started = await browser.post(`${t.broker.url}/interaction/${uid}/start`, { csrf: field(step.body, 'csrf'), method: 'qr' });
  assert.equal(started.status, 303, started.body);
  const status = await browser.get(`${t.broker.url}/interaction/${uid}/status`, { accept: 'application/json' });
  const { qr } = JSON.parse(status.body) as { qr: string };
  const scanned = await t.sim.post('/sim/app/scan', { qr });
  assert.equal(scanned.status, 200, JSON.stringify(scanned.json));
  return { uid, orderRef: String(scanned.json.orderRef) };
}

/** After the order settled: the page finishes the login and the browser follows to the client (or an error page). */
export async function afterOrder(t: BrokerAt, browser: HttpBrowser, uid: string): Promise<Step> {
  return browser.follow(await browser.get(`${t.broker.url}/interaction/${uid}`), (u) => !u.startsWith(t.broker.url));
}

/** On a login page (`step`): a QR order, scanned and approved in the simulated app; returns the step after the login. */
export async function bankIdLogin(t: BrokerAt, auth: Pick<Authorization, 'browser' | 'step'>, personalNumber = TEST_PERSON): Promise<Step> {
  const { uid, orderRef } = await startQr(t, auth);
  const approved = await t.sim.post(`/sim/orders/${orderRef}/approve`, { personalNumber, givenName: 'TOLVAN', surname: 'TOLVANSSON' });
  assert.equal(approved.status, 200, JSON.stringify(approved.json));
  assert.equal((await settled(t, auth.browser, uid)).state, 'complete');
  return afterOrder(t, auth.browser, uid);
}

/** A whole login that ends at the client: authorize, BankID, token request. */
export async function login(t: BrokerAt, config: oidc.Configuration, params: Record<string, string> = {}, browser = new HttpBrowser()) {
  const auth = await authorize(t, config, params, browser);
  const callback = callbackOf(await bankIdLogin(t, auth));
  const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce });
  return { auth, callback, tokens };
}

/**
 * Each request is refused with `invalid_request` and a description that matches; made one at a time, so that no
 * refusal rejects before the assertion that awaits it.
 */
export async function assertRefusedRequests(refusals: [() => Promise<unknown>, RegExp][]): Promise<void> {
  for (const [refused, described] of refusals) {
    await assert.rejects(refused(), (err: oidc.ResponseBodyError) => {
      assert.equal(err.error, 'invalid_request');
      assert.match(err.error_description!, described);
      return true;
    });
  }
}
