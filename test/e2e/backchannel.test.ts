/**
 * Back-channel logout end to end: a relying party's receiver on loopback (reachable because the test lifts the
 * guard against private addresses with ALLOW_PRIVATE_RP_ADDRESSES) gets a logout token when the person logs out,
 * and validates it as OpenID Connect Back-Channel Logout 1.0 section 2.6 says a relying party must.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { ConfigError, loadConfig } from '../../src/config/load.ts';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';
import { field, HttpBrowser } from '../helpers/http-browser.ts';
import { discover, login } from '../helpers/rp.ts';

let t: TestBroker;
let receiver: Server;
let receiverUrl: string;
const received: string[] = [];
const secret = 'bc-secret-0123456789abcdefghijklmno';

before(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
    req.on('end', () => {
      received.push(body);
      res.writeHead(200, { 'cache-control': 'no-store' }).end();
    });
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/backchannel-logout`;
  t = await startTestBroker({ ALLOW_PRIVATE_RP_ADDRESSES: 'true' });
  await t.broker.clients.save({
    client_id: 'bc-rp', client_secret: secret, client_name: 'Back-channel RP', redirect_uris: ['https://rp.example/callback'],
    post_logout_redirect_uris: ['https://rp.example/bye'], brygga_first_party: true, scope: 'openid',
    backchannel_logout_uri: receiverUrl, backchannel_logout_session_required: true,
  });
});
after(async () => {
  await t?.close();
  receiver?.close();
});

test('logging out sends the relying party a logout token it can validate', async () => {
  const rp = await discover(t, 'bc-rp', oidc.ClientSecretBasic(secret));
  const browser = new HttpBrowser();
  const { tokens } = await login(t, rp, {}, browser);
  const idToken = tokens.claims()!;
  assert.equal(typeof idToken.sid, 'string', 'the ID token names the session the logout token will name');

  const page = await browser.get(oidc.buildEndSessionUrl(rp, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://rp.example/bye' }).href);
  const confirmed = await browser.post(`${t.broker.url}/session/end/confirm`, { xsrf: field(page.body, 'xsrf'), logout: 'yes' });
  assert.equal(confirmed.status, 303);
  assert.ok(confirmed.location?.startsWith('https://rp.example/bye'));

  // The broker waits for the receivers before it answers the browser.
  assert.equal(received.length, 1);
  const logoutToken = new URLSearchParams(received[0]).get('logout_token');
  assert.ok(logoutToken, `no logout_token in ${received[0]}`);
  const meta = rp.serverMetadata();
  const { payload, protectedHeader } = await jwtVerify(logoutToken, createRemoteJWKSet(new URL(meta.jwks_uri!)), {
    issuer: meta.issuer, audience: 'bc-rp', typ: 'logout+jwt', requiredClaims: ['iat', 'jti'], maxTokenAge: '2 minutes',
  });
  assert.ok(protectedHeader.kid);
  assert.deepEqual(payload.events, { 'http://schemas.openid.net/event/backchannel-logout': {} });
  assert.equal(payload.sub, idToken.sub);
  assert.equal(payload.sid, idToken.sid);
  assert.equal(payload.nonce, undefined, 'a logout token never carries a nonce');
});

test('calling relying parties on private addresses cannot be turned on in production', () => {
  assert.throws(() => loadConfig({ NODE_ENV: 'production', ALLOW_PRIVATE_RP_ADDRESSES: 'true', DEMO: 'false' }), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.ok(err.problems.some((p) => p.variable === 'ALLOW_PRIVATE_RP_ADDRESSES'), err.message);
    return true;
  });
});
