/**
 * A replica stopping as a rolling update stops it (SIGTERM → close): new connections are refused at once, a request
 * in flight is still answered, and a login whose BankID order was pending on it is finished by another replica — the
 * order is not cancelled because a pod went away. Two replicas share one database and one issuer, as behind a load
 * balancer; the test's browser is the load balancer's choice of replica.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import type { RunningBroker } from '../../src/broker.ts';
import { freePort } from '../bench/processes.ts';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';
import { accepts, heldTokenRequest } from '../helpers/held-request.ts';
import { HttpBrowser } from '../helpers/http-browser.ts';
import { authorize, callbackOf, discover, REDIRECT_URI, settled, startQr, TEST_PERSON } from '../helpers/rp.ts';
import { until } from '../helpers/until.ts';

const secret = 'shutdown-secret-0123456789abcdefghijk';
let t: TestBroker;
let leaving: RunningBroker;

before(async () => {
  t = await startTestBroker();
  const port = await freePort();
  // The same issuer as the first replica; its own address accepted too, since the test reaches it directly.
  leaving = await t.replica({ PORT: String(port), ISSUER: t.broker.url, ALLOWED_HOSTS: `${new URL(t.broker.url).host},localhost:${port}`, SHUTDOWN_GRACE_MS: '20000' });
  await t.broker.clients.save({ client_id: 'rolling-rp', client_secret: secret, redirect_uris: [REDIRECT_URI], scope: 'openid', brygga_first_party: true });
});
after(async () => { await t?.close(); });

test('a stopping replica answers what is in flight, takes nothing new, and leaves its pending login to another replica', { timeout: 60_000 }, async () => {
  const rp = await discover(t, 'rolling-rp', oidc.ClientSecretBasic(secret));
  let target = leaving.port;
  const browser = new HttpBrowser({ route: (url) => { const routed = new URL(url); routed.port = String(target); return routed; } });
  const auth = await authorize(t, rp, {}, browser);
  const { uid, orderRef } = await startQr(t, auth);
  assert.equal((await t.sim.order(orderRef))?.status, 'pending');

  // A request whose body is still on its way when the stop begins.
  const inFlight = await heldTokenRequest(leaving.port);
  const stopped = leaving.close();
  await until(() => accepts(leaving.port), (open) => !open, 'new connections are refused', 100, 50);
  const response = await inFlight.finish();
  assert.match(response, /^HTTP\/1\.1 4\d\d /, `answered (a token request without a client), not cut: ${response}`);
  assert.match(response, /"error":"invalid_(client|request)"/);
  await stopped;

  // The order is still running at BankID; the person approves it, and the other replica finishes the login.
  assert.equal((await t.sim.order(orderRef))?.status, 'pending', 'not cancelled by the stop');
  const approved = await t.sim.post(`/sim/orders/${orderRef}/approve`, { personalNumber: TEST_PERSON, givenName: 'TOLVAN', surname: 'TOLVANSSON' });
  assert.equal(approved.status, 200, JSON.stringify(approved.json));
  target = t.broker.port;
  assert.equal((await settled(t, browser, uid)).state, 'complete');
  // The resume URL names the host the interaction began on; the load balancer (the route) sends it to a live replica.
  const callback = callbackOf(await browser.follow(await browser.get(`${t.broker.url}/interaction/${uid}`), (u) => u.startsWith(REDIRECT_URI)));
  const tokens = await oidc.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce });
  assert.ok(tokens.claims()?.sub);
  assert.equal(tokens.claims()?.iss, t.broker.url);
});
