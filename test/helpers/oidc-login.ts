/**
 * A relying party's login through the broker for end-to-end tests: openid-client builds the request, a test browser
 * drives the BankID page over HTTP, and the simulator's control API plays the person with the app.
 */
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import type { TestBroker } from './broker.ts';
import { field, HttpBrowser, type Step } from './http-browser.ts';

export interface Login { browser: HttpBrowser; page: Step; uid: string; verifier: string; state: string; nonce: string; config: oidc.Configuration }

export class OidcLogins {
  readonly #t: TestBroker;
  readonly redirectUri: string;
  constructor(t: TestBroker, redirectUri: string) {
    this.#t = t;
    this.redirectUri = redirectUri;
  }

  get issuer(): string { return this.#t.broker.url; }

  /** The client's configuration as discovered from the broker (plain HTTP on loopback). */
  async discover(clientId: string, secret: string): Promise<oidc.Configuration> {
    return oidc.discovery(new URL(this.issuer), clientId, secret, undefined, { execute: [oidc.allowInsecureRequests] });
  }

  /** The authorization request, followed to the BankID page. */
  async begin(config: oidc.Configuration, scope: string, extra: Record<string, string> = {}, browser = new HttpBrowser()): Promise<Login> {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri, scope, state, nonce, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra,
    });
    const page = await browser.follow(await browser.get(url.href));
    assert.equal(page.status, 200, page.body);
    const uid = /\/interaction\/([\w-]+)/.exec(page.url)?.[1];
    assert.ok(uid, `not on an interaction page: ${page.url}`);
    return { browser, page, uid, verifier, state, nonce, config };
  }

  /** Starts a QR order on the page and returns the simulator's orderRef. */
  async startQr(login: Login): Promise<string> {
    const started = await login.browser.post(`${this.issuer}/interaction/${login.uid}/start`, { csrf: field(login.page.body, 'csrf'), method: 'qr' });
    assert.equal(started.status, 303, started.body);
    await login.browser.follow(started);
    const { qr } = await this.status(login);
    const scanned = await this.#t.sim.post('/sim/app/scan', { qr });
    assert.equal(scanned.status, 200, JSON.stringify(scanned.json));
    return String(scanned.json.orderRef);
  }

  async status(login: Login): Promise<Record<string, unknown>> {
    const step = await login.browser.get(`${this.issuer}/interaction/${login.uid}/status`, { accept: 'application/json' });
    assert.equal(step.status, 200, step.body);
    return JSON.parse(step.body) as Record<string, unknown>;
  }

  /** Polls status (bounded) until it leaves `pending`. */
  async settled(login: Login, attempts = 40): Promise<Record<string, unknown>> {
    for (let i = 0; i < attempts; i++) {
      const s = await this.status(login);
      if (s.state !== 'pending') return s;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error('the order did not settle in time');
  }

  /** From the page of a settled order to the redirect back to the client. */
  async callback(login: Login): Promise<URL> {
    const step = await login.browser.follow(await login.browser.get(`${this.issuer}/interaction/${login.uid}`), (u) => u.startsWith(this.redirectUri));
    assert.ok(step.location?.startsWith(this.redirectUri), `expected a redirect to the client, got ${step.status} ${step.location} ${step.body.slice(0, 300)}`);
    return new URL(step.location!);
  }

  /** A whole QR login approved by `personalNumber`, ending in tokens. */
  async login(config: oidc.Configuration, scope: string, personalNumber: string, extra: Record<string, string> = {}) {
    const login = await this.begin(config, scope, extra);
    const orderRef = await this.startQr(login);
    const approved = await this.#t.sim.post(`/sim/orders/${orderRef}/approve`, { personalNumber });
    assert.equal(approved.status, 200, JSON.stringify(approved.json));
    assert.equal((await this.settled(login)).state, 'complete');
    const tokens = await oidc.authorizationCodeGrant(config, await this.callback(login), { pkceCodeVerifier: login.verifier, expectedState: login.state, expectedNonce: login.nonce });
    return { login, orderRef, tokens };
  }
}
