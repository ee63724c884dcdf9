/**
 * In Chromium, with the relying party on another site (http://127.0.0.1:<port>, the broker on http://localhost):
 * a form POSTs the authorization request (OIDC Core 3.1.2.1) and the response comes back as response_mode=form_post
 * (oidc-provider's auto-submitting page, allowed by the CSP through the response's nonce); a form POSTs to the
 * end-session endpoint (RP-Initiated Logout); logout without a broker session still returns to the client.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, skipWithoutBrowser } from '../helpers/chromium.ts';
import { ConfigError, loadConfig } from '../../src/config/load.ts';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';
import { discover, TEST_PERSON } from '../helpers/rp.ts';

const skip = skipWithoutBrowser;

let t: TestBroker;
let browser: Browser;
let rpServer: Server;
let rpOrigin: string;
let rp: oidc.Configuration;
const secret = 'fp-secret-0123456789abcdefghijklmnop';
/** Forms the relying party's pages submit by themselves, by id. */
const forms = new Map<string, { action: string; fields: Record<string, string> }>();
/** What reached the relying party's callback and logout pages. */
const arrivals: { path: string; method: string; params: URLSearchParams }[] = [];

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** The relying party's site: auto-posting forms, the callback (query or form_post) and the post-logout page. */
function relyingParty(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) {
  const url = new URL(req.url!, rpOrigin);
  let body = '';
  req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
  req.on('end', () => {
    const form = url.pathname.startsWith('/autopost/') ? forms.get(url.pathname.slice('/autopost/'.length)) : undefined;
    if (form) {
      const inputs = Object.entries(form.fields).map(([k, v]) => `<input type="hidden" name="${escape(k)}" value="${escape(v)}">`).join('');
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><form method="post" action="${escape(form.action)}">${inputs}</form><script>document.forms[0].submit()</script>`);
      return;
    }
    arrivals.push({ path: url.pathname, method: req.method!, params: req.method === 'POST' ? new URLSearchParams(body) : url.searchParams });
    res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>${escape(url.pathname)}</title><p id="arrived">${escape(url.pathname)}</p>`);
  });
}

before(async () => {
  if (skip) return;
  rpServer = createServer(relyingParty);
  rpServer.listen(0, '127.0.0.1');
  await once(rpServer, 'listening');
  rpOrigin = `http://127.0.0.1:${(rpServer.address() as AddressInfo).port}`;
  t = await startTestBroker();
  await t.broker.clients.save({
    client_id: 'fp-rp', client_secret: secret, client_name: 'Cross-site RP', brygga_first_party: true, scope: 'openid',
    redirect_uris: [`${rpOrigin}/callback`], post_logout_redirect_uris: [`${rpOrigin}/bye`],
  });
  rp = await discover(t, 'fp-rp', oidc.ClientSecretBasic(secret));
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await t?.close();
  rpServer?.close();
});

/** Opens a relying-party page that POSTs `fields` to `action` as soon as it loads. */
async function autopost(page: Page, action: string, fields: Record<string, string>): Promise<void> {
  const id = randomUUID();
  forms.set(id, { action, fields });
  await page.goto(`${rpOrigin}/autopost/${id}`);
}

function arrival(path: string) {
  const found = arrivals.filter((a) => a.path === path).at(-1);
  assert.ok(found, `nothing arrived at ${path}: ${JSON.stringify(arrivals.map((a) => a.path))}`);
  return found;
}

let loggedIn: { context: BrowserContext; idToken: string; accessToken: string; sub: string } | undefined;

test('a form on another site POSTs to /auth; the code and state come back by form_post', { skip, timeout: 60_000 }, async () => {
  const context = await browser.newContext({ locale: 'sv-SE' });
  const page = await context.newPage();
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  await autopost(page, rp.serverMetadata().authorization_endpoint!, {
    client_id: 'fp-rp', response_type: 'code', response_mode: 'form_post', scope: 'openid', redirect_uri: `${rpOrigin}/callback`,
    state, nonce, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  await page.waitForURL(/\/interaction\//);
  await page.click('button[data-method="qr"]');
  const qr = await page.locator('#qr-image[data-qr^="bankid."]').getAttribute('data-qr');
  assert.equal((await t.sim.post('/sim/app/scan', { qr })).status, 200);
  const order = await t.sim.latestOrder();
  assert.equal((await t.sim.post(`/sim/orders/${String(order.orderRef)}/approve`, { personalNumber: TEST_PERSON })).status, 200);
  await page.waitForURL(`${rpOrigin}/callback`, { timeout: 15_000 });

  const callback = arrival('/callback');
  assert.equal(callback.method, 'POST');
  assert.equal(callback.params.get('state'), state);
  assert.equal(callback.params.get('iss'), t.broker.url);
  // An RP library takes the form_post response as the request it is.
  const request = new Request(`${rpOrigin}/callback`, { method: 'POST', body: callback.params, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const tokens = await oidc.authorizationCodeGrant(rp, request, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
  loggedIn = { context, idToken: tokens.id_token!, accessToken: tokens.access_token, sub: tokens.claims()!.sub };
});

test('a form on another site POSTs to /session/end: the session goes along, the person confirms, the client gets the browser back', { skip, timeout: 30_000 }, async () => {
  assert.ok(loggedIn, 'needs the session of the previous test');
  const page = await loggedIn.context.newPage();
  await autopost(page, rp.serverMetadata().end_session_endpoint!, { id_token_hint: loggedIn.idToken, post_logout_redirect_uri: `${rpOrigin}/bye`, state: 'bye-1' });
  // The confirmation page appears only when the (SameSite=None) session cookie came with the cross-site POST.
  const yes = page.locator('button[name="logout"][value="yes"]');
  await yes.click({ timeout: 10_000 });
  await page.waitForURL(`${rpOrigin}/bye?state=bye-1`, { timeout: 10_000 });
  assert.equal(arrival('/bye').params.get('state'), 'bye-1');
  await assert.rejects(oidc.fetchUserInfo(rp, loggedIn.accessToken, loggedIn.sub), 'the session and its tokens are gone');
  await loggedIn.context.close();
});

test('logout without a broker session (expired, or another browser) still returns to the client', { skip, timeout: 30_000 }, async () => {
  const context = await browser.newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  const logout = new URL(rp.serverMetadata().end_session_endpoint!);
  logout.search = new URLSearchParams({ client_id: 'fp-rp', post_logout_redirect_uri: `${rpOrigin}/bye`, state: 'bye-2' }).toString();
  await page.goto(logout.href);
  await page.waitForURL(`${rpOrigin}/bye?state=bye-2`, { timeout: 10_000 });
  assert.equal(arrival('/bye').params.get('state'), 'bye-2');
  await context.close();
});

test('the issuer must be https, or http on localhost: browsers drop a SameSite=None cookie that is not Secure', () => {
  for (const issuer of ['https://login.example.se', 'http://localhost:3000', 'http://127.0.0.1:3000']) assert.equal(loadConfig({ ISSUER: issuer }).http.issuer, issuer);
  assert.throws(() => loadConfig({ ISSUER: 'http://login.example.se' }), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.deepEqual(err.problems.map((p) => p.variable), ['ISSUER']);
    return true;
  });
});
