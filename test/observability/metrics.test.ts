/**
 * /metrics after real logins through the simulator: the counters fed by the domain events carry the expected labels
 * and values, and nothing personal or per-order appears.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';
import { authorize, discover, login, startQr, TEST_PERSON } from '../helpers/rp.ts';
import { field } from '../helpers/http-browser.ts';

let t: TestBroker;
let rp: oidc.Configuration;
const secret = 'metrics-secret-0123456789abcdefghijkl';

before(async () => {
  // Two authorization requests a minute from one address: the third is refused (a rate-limit rejection to count).
  t = await startTestBroker({ RATE_LIMIT_AUTH_PER_IP_PER_MINUTE: '2' });
  await t.broker.clients.save({ client_id: 'metrics-rp', client_secret: secret, redirect_uris: ['https://rp.example/callback'], scope: 'openid profile', brygga_first_party: true });
  rp = await discover(t, 'metrics-rp', oidc.ClientSecretBasic(secret));
});
after(async () => { await t?.close(); });

/** The value of one sample, by its exact name and labels as Prometheus prints them. */
function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(labels ? `${name}{${labels}} ` : `${name} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

test('after a login, a cancelled order and a refused request, /metrics counts each with bounded labels', async () => {
  const { auth } = await login(t, rp);
  // A second login that the person cancels on the page while its order is pending.
  const second = await authorize(t, rp);
  const { uid, orderRef } = await startQr(t, second);
  const page = await second.browser.get(`${t.broker.url}/interaction/${uid}`);
  const cancelled = await second.browser.post(`${t.broker.url}/interaction/${uid}/abort`, { csrf: field(page.body, 'csrf') });
  assert.ok(cancelled.status < 400, cancelled.body);
  const refused = await fetch(`${t.broker.url}/auth?client_id=metrics-rp`);
  assert.equal(refused.status, 429);
  // A token request with a code that was never issued: oidc-provider's grant error.
  const badGrant = await fetch(`${t.broker.url}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`metrics-rp:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: 'never-issued', redirect_uri: 'https://rp.example/callback', code_verifier: 'v'.repeat(43) }),
  });
  assert.equal(badGrant.status, 400);

  // Never on the public port, which the ingress exposes: only on the metrics listener.
  assert.equal((await fetch(`${t.broker.url}/metrics`)).status, 404);
  assert.notEqual(new URL(t.broker.metricsUrl).port, String(t.broker.port));
  assert.equal((await fetch(new URL('/', t.broker.metricsUrl))).status, 404, 'the metrics listener serves nothing else');
  const response = await fetch(t.broker.metricsUrl);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
  const text = await response.text();

  assert.equal(sample(text, 'brygga_orders_started_total', 'client="metrics-rp",start_method="qr"'), 2);
  assert.equal(sample(text, 'brygga_orders_completed_total', 'client="metrics-rp",start_method="qr"'), 1);
  assert.equal(sample(text, 'brygga_orders_cancelled_total', 'client="metrics-rp",start_method="qr",by="person"'), 1);
  assert.equal(text.split('\n').filter((l) => l.startsWith('brygga_orders_failed_total{')).length, 0, 'a cancel is not a failure');
  assert.equal(sample(text, 'brygga_bankid_call_duration_seconds_count', 'endpoint="auth",outcome="ok"'), 2);
  assert.equal(sample(text, 'brygga_bankid_call_duration_seconds_count', 'endpoint="cancel",outcome="ok"'), 1);
  assert.ok(sample(text, 'brygga_bankid_call_duration_seconds_count', 'endpoint="collect",outcome="ok"')! >= 1, text);
  assert.equal(sample(text, 'brygga_rate_limit_rejections_total', 'limit="auth:ip"'), 1);
  assert.equal(sample(text, 'brygga_http_request_duration_seconds_count', 'route="/token",method="POST",status="200"'), 1);
  assert.ok(sample(text, 'brygga_http_request_duration_seconds_count', 'route="/interaction/:uid/status",method="GET",status="200"')! >= 1, text);
  // The login funnel: two logins began, one got its ID token; the pending gauge counted no order left pending.
  assert.equal(sample(text, 'brygga_login_steps_total', 'client="metrics-rp",step="interaction_started"'), 2);
  assert.equal(sample(text, 'brygga_login_steps_total', 'client="metrics-rp",step="id_token_issued"'), 1);
  assert.equal(sample(text, 'brygga_orders_pending', ''), 0);
  assert.equal(sample(text, 'brygga_oidc_errors_total', 'event="grant.error",error="invalid_grant",client="metrics-rp"'), 1);
  const settingsLine = text.split('\n').find((l) => l.startsWith('brygga_certificate_days_left{tenant="settings",'));
  assert.ok(settingsLine, text);
  assert.match(settingsLine, /certificate="[^"]+",state="settings"} [1-9]\d*$/);
  // No person, order or session in any label.
  for (const secretish of [TEST_PERSON, orderRef, uid, auth.state]) assert.ok(!text.includes(secretish), `${secretish} appears in /metrics`);
});
