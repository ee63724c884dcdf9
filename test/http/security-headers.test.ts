/**
 * Every kind of route the broker answers carries the security headers: a Content-Security-Policy that forbids
 * framing, Referrer-Policy and X-Content-Type-Options everywhere; `Cache-Control: no-store` wherever an answer is about
 * a person or a login (pages, status, tokens, userinfo, admin API, console, health); HSTS when the issuer is https.
 * Scripts run by a nonce that is new in every response and is on every script the page names, oidc-provider's too.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import { BOOTSTRAP, startAdminBroker } from '../admin/support.ts';
import type { TestBroker } from '../helpers/broker.ts';
import type { Step } from '../helpers/http-browser.ts';
import { authorize, bankIdLogin, callbackOf, discover, interactionUid, REDIRECT_URI, startQr } from '../helpers/rp.ts';

const SECRET = 'headers-rp-secret-0123456789abcdefghij';
let t: TestBroker;
let rp: oidc.Configuration;
before(async () => {
  t = await startAdminBroker();
  await t.broker.clients.save({ client_id: 'headers-rp', client_secret: SECRET, redirect_uris: [REDIRECT_URI], scope: 'openid profile', brygga_first_party: true });
  rp = await discover(t, 'headers-rp', oidc.ClientSecretBasic(SECRET));
});
after(async () => { await t?.close(); });

interface Answer { route: string; status: number; headers: Headers }

const html = { accept: 'text/html' };
async function get(route: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${t.broker.url}${path}`, { headers, redirect: 'manual' });
  await response.arrayBuffer();
  return { route, status: response.status, headers: response.headers };
}
const fromStep = (route: string, step: Step): Answer => ({ route, status: step.status, headers: step.headers });

/** Whose answers may be kept by no cache at all. */
const PRIVATE = /^(page|interaction|demo|token|userinfo|admin|console|health|error)/;

test('every route carries the security headers; personal and login answers are no-store; no HSTS on an http issuer', async () => {
  const answers: Answer[] = [];
  // A whole login: the authorization redirect, the login page, its status poll, the return, the token and userinfo.
  const auth = await authorize(t, rp);
  const uid = interactionUid(auth.step);
  answers.push(fromStep('interaction page', auth.step));
  answers.push(fromStep('interaction status', await auth.browser.get(`${t.broker.url}/interaction/${uid}/status`, { accept: 'application/json' })));
  const back = await bankIdLogin(t, auth);
  answers.push(fromStep('interaction return', back));
  const callback = callbackOf(back);
  const token = await fetch(`${t.broker.url}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`headers-rp:${SECRET}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: REDIRECT_URI, code_verifier: auth.verifier }),
  });
  const { access_token: accessToken } = await token.json() as { access_token: string };
  assert.equal(token.status, 200);
  answers.push({ route: 'token', status: token.status, headers: token.headers });
  const refused = await fetch(`${t.broker.url}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=authorization_code&code=x' });
  await refused.arrayBuffer();
  answers.push({ route: 'token error', status: refused.status, headers: refused.headers });
  answers.push(await get('userinfo', '/me', { authorization: `Bearer ${accessToken}` }));
  answers.push(await get('page: authorization request', `/auth?client_id=headers-rp&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256`, html));
  answers.push(await get('page: logout', '/session/end', html));
  answers.push(await get('error page: not found', '/no-such-page', html));
  answers.push(await get('error json: not found', '/no-such-page', { accept: 'application/json' }));
  answers.push(await get('discovery', '/.well-known/openid-configuration'));
  answers.push(await get('jwks', '/jwks'));
  answers.push(await get('demo', '/demo', html));
  answers.push(await get('demo: root redirect', '/', html));
  answers.push(await get('admin API', '/admin/api/tenants', { authorization: `Bearer ${BOOTSTRAP}`, accept: 'application/json' }));
  answers.push(await get('admin API unauthenticated', '/admin/api/tenants', { accept: 'application/json' }));
  answers.push(await get('console', '/admin', html));
  answers.push(await get('console sign-in', '/admin/login', html));
  answers.push(await get('asset', '/assets/brygga.css'));
  answers.push(await get('asset: icon', '/favicon.ico'));
  answers.push(await get('health: live', '/healthz'));
  answers.push(await get('health: ready', '/readyz'));

  const problems: string[] = [];
  for (const { route, status, headers } of answers) {
    const csp = headers.get('content-security-policy') ?? '';
    if (!csp.includes("frame-ancestors 'none'") || !csp.includes("default-src 'none'")) problems.push(`${route} (${status}): CSP ${csp}`);
    if (headers.get('x-content-type-options') !== 'nosniff') problems.push(`${route} (${status}): X-Content-Type-Options ${headers.get('x-content-type-options')}`);
    if (headers.get('referrer-policy') !== 'no-referrer') problems.push(`${route} (${status}): Referrer-Policy ${headers.get('referrer-policy')}`);
    if (headers.has('strict-transport-security')) problems.push(`${route} (${status}): HSTS on an http issuer`);
    if (PRIVATE.test(route) && !/no-store/.test(headers.get('cache-control') ?? '')) problems.push(`${route} (${status}): Cache-Control ${headers.get('cache-control')}`);
  }
  assert.deepEqual(problems, []);
  assert.equal(answers.length, 22);
});

test('behind https (an https issuer), every answer tells the browser to use https only (HSTS)', async () => {
  const replica = await t.replica({ ISSUER: 'https://login.example.se', TRUST_PROXY: 'true' });
  const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'login.example.se' };
  for (const path of ['/.well-known/openid-configuration', '/healthz', '/no-such-page', '/assets/brygga.css']) {
    const response = await fetch(`http://127.0.0.1:${replica.port}${path}`, { headers: forwarded });
    assert.match(response.headers.get('strict-transport-security') ?? '', /^max-age=31536000$/, path);
  }
});

/** The nonce of a strict script-src, and every source it lists. */
function scriptPolicy(headers: Headers): { nonce: string; sources: string[] } {
  const csp = headers.get('content-security-policy') ?? '';
  const sources = /(?:^|;)\s*script-src ([^;]*)/.exec(csp)?.[1]?.trim().split(/\s+/) ?? [];
  const nonce = /^'nonce-([A-Za-z0-9+/]{22}==)'$/.exec(sources[0] ?? '')?.[1];
  assert.ok(nonce, `script-src starts with a 128-bit nonce: ${csp}`);
  assert.deepEqual(sources.slice(1), ["'strict-dynamic'", "'self'"], csp);
  assert.match(csp, /(?:^|;)\s*style-src 'self'(?:;|$)/, 'no inline style either');
  return { nonce, sources };
}

const scriptTags = (html: string) => [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);

test("every response has a fresh script nonce, and the login page's script carries its own", async () => {
  const auth = await authorize(t, rp);
  const { uid, orderRef } = await startQr(t, auth);
  const pages = [await auth.browser.get(`${t.broker.url}/interaction/${uid}`), await auth.browser.get(`${t.broker.url}/interaction/${uid}`)];
  const nonces = pages.map((page) => {
    assert.equal(page.status, 200, page.body);
    const { nonce } = scriptPolicy(page.headers);
    assert.deepEqual(scriptTags(page.body), [`<script type="module" src="/assets/login.js" nonce="${nonce}">`]);
    return nonce;
  });
  const others = await Promise.all(['/demo', '/no-such-page', '/admin/login', '/.well-known/openid-configuration'].map(async (path) => scriptPolicy((await fetch(`${t.broker.url}${path}`, { headers: html, redirect: 'manual' })).headers).nonce));
  assert.equal(new Set([...nonces, ...others]).size, 6, 'no nonce is used twice');
  await t.sim.post(`/sim/orders/${orderRef}/cancel`, {});
});

test("oidc-provider's auto-submitting form (logout without a session, form_post) runs by the nonce; no script hash is left", async () => {
  const response = await fetch(`${t.broker.url}/session/end`, { headers: html });
  const body = await response.text();
  assert.equal(response.status, 200, body);
  const { nonce, sources } = scriptPolicy(response.headers);
  assert.ok(!sources.some((s) => s.startsWith("'sha")), sources.join(' '));
  assert.deepEqual(scriptTags(body), [`<script nonce="${nonce}">`]);
  assert.match(body, /document\.forms\[0\]\.submit\(\)/);
});
