/**
 * A database outage during logins (real PostgreSQL): the connection between the broker and the server is cut by a
 * TCP hop in the test, so other tests on the same server are not disturbed. Meanwhile every request is answered with
 * 503 at once (a page for a person, JSON for a program), /readyz says not ready, /healthz stays alive and the process
 * keeps running; when the link is back, so is everything, and a login started before the outage finishes.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import { openDatabase, type DatabaseHandle } from '../../src/storage/database.ts';
import { call, startAdminBroker, BOOTSTRAP } from '../admin/support.ts';
import type { TestBroker } from '../helpers/broker.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { HttpBrowser } from '../helpers/http-browser.ts';
import { afterOrder, authorize, callbackOf, discover, settled, startQr, TEST_PERSON } from '../helpers/rp.ts';
import { TcpLink } from '../helpers/tcp-link.ts';
import { until } from '../helpers/until.ts';

const server = process.env.DATABASE_URL;
const skip = server ? false : 'needs a PostgreSQL server (DATABASE_URL): the embedded engine runs inside the process, there is no connection to cut';
/** The broker's wait for a connection: every answer during the outage comes well within it plus the work around it. */
const CONNECT_TIMEOUT_MS = 1000;
const PROMPT_MS = 2500;
const SECRET = 'outage-rp-secret-0123456789abcdefghij';

let backing: DatabaseHandle & { url?: string };
let link: TcpLink;
let proxied: DatabaseHandle;
let t: TestBroker;
let rp: oidc.Configuration;

before(async () => {
  if (skip) return;
  backing = await createTestDatabase();
  const url = new URL(backing.url!);
  const socketDir = url.searchParams.get('host');
  const port = Number(url.port || 5432);
  link = await new TcpLink(socketDir ? { path: `${socketDir}/.s.PGSQL.${port}` } : { host: url.hostname, port }).listen();
  url.searchParams.delete('host');
  url.hostname = '127.0.0.1';
  url.port = String(link.port);
  proxied = await openDatabase({ url: url.href, dataDir: 'unused', connectTimeoutMs: CONNECT_TIMEOUT_MS, statementTimeoutMs: 5000 });
  t = await startAdminBroker({}, { database: proxied });
  await t.broker.clients.save({ client_id: 'outage-rp', client_secret: SECRET, redirect_uris: ['https://rp.example/callback'], scope: 'openid profile', brygga_first_party: true });
  rp = await discover(t, 'outage-rp', oidc.ClientSecretBasic(SECRET));
});
after(async () => {
  await t?.close();
  await proxied?.close();
  await link?.close();
  await backing?.close();
});

/** A request and how long its answer took. */
async function timed<T>(request: () => Promise<T>): Promise<{ answer: T; ms: number }> {
  const started = Date.now();
  const answer = await request();
  return { answer, ms: Date.now() - started };
}

test('requests during a database outage get 503 at once; everything recovers and a pending login finishes', { skip }, async () => {
  const auth = await authorize(t, rp);
  const { uid, orderRef } = await startQr(t, auth);
  assert.equal((await fetch(`${t.broker.url}/readyz`)).status, 200);

  link.cut();
  // The person approves in the app while the broker cannot reach its database.
  const approved = await t.sim.post(`/sim/orders/${orderRef}/approve`, { personalNumber: TEST_PERSON, givenName: 'TOLVAN', surname: 'TOLVANSSON' });
  assert.equal(approved.status, 200);

  const health = await fetch(`${t.broker.url}/healthz`);
  assert.equal(health.status, 200);
  const ready = await timed(() => fetch(`${t.broker.url}/readyz`));
  assert.equal(ready.answer.status, 503);
  const readiness = await ready.answer.json() as { status: string; checks: { database: { ok: boolean; reason: string } } };
  assert.equal(readiness.status, 'not ready');
  assert.equal(readiness.checks.database.ok, false);
  assert.ok(ready.ms < PROMPT_MS, `/readyz answered in ${ready.ms} ms`);

  // The login page: a page for the person, with the request id to quote and when to try again.
  const page = await timed(() => auth.browser.get(`${t.broker.url}/interaction/${uid}`, { accept: 'text/html' }));
  assert.equal(page.answer.status, 503, page.answer.body.slice(0, 300));
  assert.match(page.answer.headers.get('content-type')!, /text\/html/);
  assert.match(page.answer.body, /tillfälligt otillgänglig/);
  assert.ok(page.answer.body.includes(page.answer.headers.get('x-request-id')!), 'the page shows the request id');
  assert.equal(page.answer.headers.get('retry-after'), '5');
  assert.ok(page.ms < PROMPT_MS, `the login page answered in ${page.ms} ms`);

  // Its status poll: JSON for the page's script.
  const poll = await timed(() => auth.browser.get(`${t.broker.url}/interaction/${uid}/status`, { accept: 'application/json' }));
  assert.equal(poll.answer.status, 503, poll.answer.body);
  assert.equal((JSON.parse(poll.answer.body) as { error: string }).error, 'database_unavailable');
  assert.ok(poll.ms < PROMPT_MS, `the status poll answered in ${poll.ms} ms`);

  // A new authorization request (oidc-provider's own endpoint), as a page.
  const fresh = await timed(() => new HttpBrowser().get(oidc.buildAuthorizationUrl(rp, { redirect_uri: 'https://rp.example/callback', scope: 'openid', state: 's', nonce: 'n', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' }).href, { accept: 'text/html' }));
  assert.equal(fresh.answer.status, 503, fresh.answer.body.slice(0, 300));
  assert.match(fresh.answer.body, /tillfälligt otillgänglig/);
  assert.ok(fresh.ms < PROMPT_MS, `/auth answered in ${fresh.ms} ms`);

  // The token endpoint: OAuth's own error for it, as JSON.
  const token = await timed(() => fetch(`${t.broker.url}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`outage-rp:${SECRET}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: 'x'.repeat(43), redirect_uri: 'https://rp.example/callback', code_verifier: 'y'.repeat(43) }),
  }));
  assert.equal(token.answer.status, 503);
  assert.equal((await token.answer.json() as { error: string }).error, 'temporarily_unavailable');
  assert.ok(token.ms < PROMPT_MS, `/token answered in ${token.ms} ms`);

  // The admin API.
  const admin = await timed(() => call(t, 'GET', '/tenants', { token: BOOTSTRAP }));
  assert.equal(admin.answer.status, 503, JSON.stringify(admin.answer.json));
  assert.equal(admin.answer.json.error, 'database_unavailable');
  assert.ok(admin.ms < PROMPT_MS, `the admin API answered in ${admin.ms} ms`);

  link.restore();
  await until(() => fetch(`${t.broker.url}/readyz`).then((r) => r.status), (status) => status === 200, 'ready again', 100, 100);
  assert.equal((await call(t, 'GET', '/tenants', { token: BOOTSTRAP })).status, 200);
  // The order approved during the outage is collected now; the login ends at the client with tokens.
  assert.equal((await settled(t, auth.browser, uid)).state, 'complete');
  const callback = callbackOf(await afterOrder(t, auth.browser, uid));
  const tokens = await oidc.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce });
  assert.equal(typeof tokens.id_token, 'string');
});
