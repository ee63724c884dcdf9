/**
 * The login audit trail fed by the domain events: a real login through the broker and the simulator leaves one
 * record per step (order completed, consent, ID token, logout), a failed and a cancelled order theirs, each naming
 * tenant, client, order or request and the account, never the person. Written whatever the log level says; with
 * AUDIT_LOG_FILE to that file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import { DomainEvents } from '../../src/events/emitter.ts';
import { auditDomainEvents, auditTrail } from '../../src/observability/audit-log.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';
import { field, type HttpBrowser, type Step } from '../helpers/http-browser.ts';
import { afterOrder, authorize, interactionUid, settled, TEST_PERSON } from '../helpers/rp.ts';
import { until } from '../helpers/until.ts';

type AuditRecord = Record<string, unknown> & { event: string; outcome: string };

/** Everything a record may hold: pino's own fields, and what the trail says of a login. */
const ALLOWED = new Set(['level', 'time', 'pid', 'hostname', 'service', 'msg', 'audit', 'event', 'outcome', 'tenantId', 'clientId', 'orderId', 'subject', 'requestId', 'hintCode', 'errorCode', 'failedChecks', 'cancelledBy']);
const PERSONAL = [TEST_PERSON, TEST_PERSON.slice(2), 'TOLVAN', 'TOLVANSSON'];
const secret = 'audit-rp-secret-0123456789abcdefghijk';
let t: TestBroker;
let rp: oidc.Configuration;

before(async () => {
  t = await startTestBroker();
  await t.broker.clients.save({ client_id: 'audit-rp', client_secret: secret, client_name: 'Audited', redirect_uris: ['https://rp.example/callback'], post_logout_redirect_uris: ['https://rp.example/bye'], scope: 'openid profile' });
  rp = await discover();
});
after(async () => { await t?.close(); });

function discover() {
  return oidc.discovery(new URL(t.broker.url), 'audit-rp', undefined, oidc.ClientSecretBasic(secret), { execute: [oidc.allowInsecureRequests] });
}

const records = (): AuditRecord[] => t.logLines.map((l) => JSON.parse(l) as AuditRecord).filter((r) => r.audit === true);
const recordsOf = (orderId: string) => records().filter((r) => r.orderId === orderId);

/** A QR order started on the login page: its interaction, BankID's orderRef, our order id and the start's request id. */
async function started(browser: HttpBrowser, step: Step) {
  const uid = interactionUid(step);
  const start = await browser.post(`${t.broker.url}/interaction/${uid}/start`, { csrf: field(step.body, 'csrf'), method: 'qr' });
  assert.equal(start.status, 303, start.body);
  const requestId = start.headers.get('x-request-id');
  assert.ok(requestId);
  const row = await t.broker.database.db.selectFrom('bankid_orders').select(['id', 'order_ref']).where('interaction_id', '=', uid).orderBy('created_at', 'desc').limit(1).executeTakeFirstOrThrow();
  const { qr } = JSON.parse((await browser.get(`${t.broker.url}/interaction/${uid}/status`, { accept: 'application/json' })).body) as { qr: string };
  assert.equal((await t.sim.post('/sim/app/scan', { qr })).status, 200);
  return { uid, orderRef: row.order_ref, orderId: row.id, requestId };
}

test('a login leaves one record per step: order completed, consent, ID token, logout; each names where and for whom, never the person', { timeout: 60_000 }, async () => {
  const auth = await authorize(t, rp, { scope: 'openid profile' });
  const order = await started(auth.browser, auth.step);
  assert.equal((await t.sim.post(`/sim/orders/${order.orderRef}/approve`, { personalNumber: TEST_PERSON, givenName: 'TOLVAN', surname: 'TOLVANSSON' })).status, 200);
  assert.equal((await settled(t, auth.browser, order.uid)).state, 'complete');
  const consent = await afterOrder(t, auth.browser, order.uid);
  const uid = /\/interaction\/([\w-]+)/.exec(consent.url)![1]!;
  const allowed = await auth.browser.post(`${t.broker.url}/interaction/${uid}/consent`, { csrf: field(consent.body, 'csrf') });
  const back = await auth.browser.follow(allowed, (u) => u.startsWith('https://rp.example/'));
  const tokens = await oidc.authorizationCodeGrant(rp, new URL(back.location!), { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce });
  const sub = tokens.claims()!.sub;
  const logout = await auth.browser.get(oidc.buildEndSessionUrl(rp, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://rp.example/bye' }).href);
  assert.equal((await auth.browser.post(`${t.broker.url}/session/end/confirm`, { xsrf: field(logout.body, 'xsrf'), logout: 'yes' })).status, 303);

  const trail = await until(async () => records().filter((r) => r.orderId === order.orderId || r.event.startsWith('login.')), (r) => r.length >= 4, 'the login\'s audit records');
  assert.deepEqual(trail.map((r) => [r.event, r.outcome]), [
    ['order.completed', 'complete'], ['login.consent_given', 'given'], ['login.id_token_issued', 'issued'], ['login.logout', 'logged_out'],
  ]);
  const [completed, consented, issued, loggedOut] = trail as [AuditRecord, AuditRecord, AuditRecord, AuditRecord];
  assert.deepEqual([completed.tenantId, completed.clientId, completed.orderId, completed.requestId, completed.subject], ['default', 'audit-rp', order.orderId, order.requestId, sub]);
  for (const r of [consented, issued, loggedOut]) {
    assert.deepEqual([r.tenantId, r.clientId, r.subject], ['default', 'audit-rp', sub], r.event);
    assert.match(String(r.requestId), /^[\w.-]{1,64}$/, `${r.event} names its request`);
  }
  assert.notEqual(issued.requestId, consented.requestId, 'each its own request');
  for (const r of trail) {
    assert.equal(r.level, 30);
    assert.deepEqual(Object.keys(r).filter((k) => !ALLOWED.has(k)), [], `${r.event} holds only what the trail names`);
  }
  const text = JSON.stringify(records());
  for (const personal of PERSONAL) assert.ok(!text.includes(personal), `no ${personal} in the trail`);
  const logLine = t.logLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'bankid order complete' && l.orderId === order.orderId);
  assert.ok(logLine && !('subject' in logLine), 'the ordinary log line has the order, not the account');
});

test('a failed order and one the person cancelled in the app leave their records, with the reason and without a subject', { timeout: 60_000 }, async () => {
  // BankID refuses the first collect outright: the order is given up with BankID's error code.
  assert.equal((await t.sim.post('/sim/faults', { endpoint: 'collect', status: 400, errorCode: 'invalidParameters', times: 1 })).status, 200);
  const failing = await authorize(t, rp);
  const failed = await started(failing.browser, failing.step);
  assert.equal((await settled(t, failing.browser, failed.uid)).state, 'failed');
  const [failure] = await until(async () => recordsOf(failed.orderId), (r) => r.length > 0, 'the failed order\'s record');
  assert.deepEqual(
    [failure!.event, failure!.outcome, failure!.tenantId, failure!.clientId, failure!.requestId, failure!.errorCode, 'subject' in failure!],
    ['order.failed', 'failed', 'default', 'audit-rp', failed.requestId, 'invalidParameters', false],
  );

  const cancelling = await authorize(t, rp);
  const cancelled = await started(cancelling.browser, cancelling.step);
  assert.equal((await t.sim.post(`/sim/orders/${cancelled.orderRef}/cancel`)).status, 200);
  assert.equal((await settled(t, cancelling.browser, cancelled.uid)).state, 'failed');
  const [cancel] = await until(async () => recordsOf(cancelled.orderId), (r) => r.length > 0, 'the cancelled order\'s record');
  assert.deepEqual([cancel!.event, cancel!.outcome, cancel!.cancelledBy, cancel!.tenantId, cancel!.requestId, 'subject' in cancel!], ['order.cancelled', 'cancelled', 'person', 'default', cancelled.requestId, false]);
  assert.equal(recordsOf(failed.orderId).length + recordsOf(cancelled.orderId).length, 2, 'one record per order');
});

/** A logger writing to an array, as the broker's. */
function collecting(level: string): { logger: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  return { lines, logger: createLogger({ level, format: 'json', destination: new Writable({ write(chunk, _e, cb) { lines.push(chunk.toString()); cb(); } }) }) };
}

test('without AUDIT_LOG_FILE the records go with the log lines, marked, at info whatever the log\'s level', () => {
  const { logger, lines } = collecting('warn');
  const events = new DomainEvents();
  auditDomainEvents(events, auditTrail({}, logger).logger);
  logger.info('an info line the level keeps out');
  events.emit('login.logout', { clientId: 'c', tenantId: 'kommun', subject: 'sub-1', requestId: 'r-9' });
  assert.deepEqual(lines.map((l) => JSON.parse(l) as AuditRecord).map((r) => [r.audit, r.level, r.event, r.outcome, r.clientId, r.tenantId, r.subject, r.requestId]), [
    [true, 30, 'login.logout', 'logged_out', 'c', 'kommun', 'sub-1', 'r-9'],
  ]);
});

test('AUDIT_LOG_FILE: the records are appended to the file as JSON lines (a failed verification its own event), not to the log', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'brygga-audit-')), 'audit.jsonl');
  const { logger, lines: logLines } = collecting('info');
  const trail = auditTrail({ auditFile: file }, logger);
  const events = new DomainEvents();
  auditDomainEvents(events, trail.logger);
  const order = { orderId: 'o-1', clientId: 'c', startMethod: 'qr', tenantId: 'kommun', requestId: 'r-1' };
  events.emit('order.failed', { ...order, errorCode: 'bankid_result_unverified', failedChecks: ['certificateChain'] });
  events.emit('order.expired', { ...order, orderId: 'o-2' });
  trail.close();
  events.emit('order.expired', { ...order, orderId: 'o-3' }); // after close: dropped, never a crash
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as AuditRecord);
  assert.deepEqual(lines.map((r) => [r.audit, r.event, r.outcome, r.orderId, r.tenantId, r.requestId]), [
    [true, 'order.result_unverified', 'unverified', 'o-1', 'kommun', 'r-1'],
    [true, 'order.expired', 'expired', 'o-2', 'kommun', 'r-1'],
  ]);
  assert.deepEqual(lines[0]!.failedChecks, ['certificateChain']);
  assert.deepEqual(logLines, [], 'nothing in the log');
});
