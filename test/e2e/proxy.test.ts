/**
 * Behind a TLS-terminating reverse proxy: discovery shows the public https URLs, a forged host is refused, and
 * BankID gets the real client address from X-Forwarded-For (only the hops the proxies added are trusted).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';
import { field, HttpBrowser } from '../helpers/http-browser.ts';

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
