/**
 * Behind a TLS-terminating reverse proxy: discovery shows the public https URLs, a forged host is refused, and
 * BankID gets the real client address from X-Forwarded-For (only the hops the proxies added are trusted), and every
 * cookie is Secure, HttpOnly and SameSite, with the `__Host-` prefix where its path is / and `__Secure-` otherwise.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';
import { field, HttpBrowser, type Step } from '../helpers/http-browser.ts';
import { TEST_PERSON } from '../helpers/rp.ts';
import { until } from '../helpers/until.ts';

const PUBLIC = 'https://login.example.se';
let t: TestBroker;
let local: string;
const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'login.example.se' };

before(async () => {
  t = await startTestBroker({ ISSUER: PUBLIC, TRUST_PROXY: 'true', PROXY_HOPS: '1' });
  local = `http://127.0.0.1:${t.broker.port}`;
  await t.broker.clients.save({ client_id: 'proxied', client_secret: 'proxied-secret-0123456789abcdefgh', redirect_uris: ['https://rp.example/cb'], brygga_first_party: true });
});
after(async () => { await t?.close(); });

test('discovery advertises the public https URLs given by the proxy', async () => {
  const meta = await (await fetch(`${local}/.well-known/openid-configuration`, { headers: forwarded })).json() as Record<string, string>;
  assert.equal(meta.issuer, PUBLIC);
  assert.equal(meta.authorization_endpoint, `${PUBLIC}/auth`);
  assert.equal(meta.token_endpoint, `${PUBLIC}/token`);
});

test('a forged X-Forwarded-Host is refused', async () => {
  const response = await fetch(`${local}/.well-known/openid-configuration`, { headers: { ...forwarded, 'x-forwarded-host': 'evil.example' } });
  assert.equal(response.status, 421);
});

test('BankID gets the client address the proxy saw, not one the client wrote itself', async () => {
  const browser = new HttpBrowser({
    headers: { ...forwarded, 'x-forwarded-for': '198.51.100.66, 203.0.113.9' },
    route: (url) => (url.origin === PUBLIC ? new URL(`${url.pathname}${url.search}`, local) : url),
  });
  const auth = new URL(`${PUBLIC}/auth`);
  auth.search = new URLSearchParams({ client_id: 'proxied', response_type: 'code', scope: 'openid', redirect_uri: 'https://rp.example/cb', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', state: 'p' }).toString();
  const page = await browser.follow(await browser.get(auth.href));
  assert.equal(page.status, 200, page.body.slice(0, 300));
  const uid = /\/interaction\/([\w-]+)/.exec(page.url)![1]!;
  const started = await browser.post(`${PUBLIC}/interaction/${uid}/start`, { csrf: field(page.body, 'csrf'), method: 'qr' });
  assert.equal(started.status, 303, started.body.slice(0, 300));
  const request = (await t.sim.latestOrder()).request as Record<string, unknown>;
  assert.equal(request.endUserIp, '203.0.113.9');
  assert.equal((request.web as Record<string, string>).referringDomain, 'login.example.se');
  // Cookies are Secure behind https.
  assert.match(started.headers.getSetCookie().join(' ') + page.headers.getSetCookie().join(' '), /secure/i);
});

test('a whole login behind https: every cookie Secure, HttpOnly, SameSite and prefixed (__Host- at path /, else __Secure-)', async () => {
  const browser = new HttpBrowser({ headers: forwarded, route: (url) => (url.origin === PUBLIC ? new URL(`${url.pathname}${url.search}`, local) : url) });
  const steps: Step[] = [];
  const go = async (first: Step) => {
    steps.push(first);
    let step = first;
    for (let i = 0; i < 10 && step.location?.startsWith(PUBLIC); i++) steps.push(step = await browser.get(step.location));
    return step;
  };
  const auth = new URL(`${PUBLIC}/auth`);
  auth.search = new URLSearchParams({ client_id: 'proxied', response_type: 'code', scope: 'openid', redirect_uri: 'https://rp.example/cb', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', state: 'c' }).toString();
  const page = await go(await browser.get(auth.href));
  assert.equal(page.status, 200, page.body.slice(0, 300));
  const uid = /\/interaction\/([\w-]+)/.exec(page.url)![1]!;
  await go(await browser.post(`${PUBLIC}/interaction/${uid}/start`, { csrf: field(page.body, 'csrf'), method: 'qr' }));
  // The status poll reads the interaction cookie by its prefixed name (login_not_in_browser otherwise).
  const status = async () => { const s = await browser.get(`${PUBLIC}/interaction/${uid}/status`, { accept: 'application/json' }); assert.equal(s.status, 200, s.body); return JSON.parse(s.body) as { qr: string; state: string }; };
  assert.equal((await t.sim.post('/sim/app/scan', { qr: (await status()).qr })).status, 200);
  assert.equal((await t.sim.post(`/sim/orders/${String((await t.sim.latestOrder()).orderRef)}/approve`, { personalNumber: TEST_PERSON })).status, 200);
  await until(status, (s) => s.state === 'complete', 'the order completes', 50, 100);
  const back = await go(await browser.get(`${PUBLIC}/interaction/${uid}`));
  assert.match(back.location ?? '', /^https:\/\/rp\.example\/cb\?code=/, `${back.status} ${back.body.slice(0, 200)}`);
  steps.push(await browser.get(`${PUBLIC}/demo`));

  const cookies = new Map<string, string>();
  for (const line of steps.flatMap((s) => s.headers.getSetCookie())) cookies.set(line.slice(0, line.indexOf('=')), line);
  assert.deepEqual([...cookies.keys()].filter((name) => !name.endsWith('.sig')).sort(), [
    '__Host-brygga_demo', '__Host-brygga_device', '__Host-session', '__Secure-interaction', '__Secure-interaction_resume',
  ]);
  for (const [name, line] of cookies) {
    const attributes = line.split(';').slice(1).map((a) => a.trim().toLowerCase());
    const path = attributes.find((a) => a.startsWith('path='));
    assert.ok(attributes.includes('secure') && attributes.includes('httponly') && attributes.some((a) => /^samesite=(lax|none|strict)$/.test(a)), line);
    assert.ok(!attributes.some((a) => a.startsWith('domain=')), line);
    if (name.startsWith('__Host-')) assert.equal(path, 'path=/', line);
  }
  assert.match(cookies.get('__Host-session')!, /samesite=none/i, 'the session goes along with cross-site POSTs (form_post, logout)');
});
