/**
 * The BankID login flow and the collector against the simulator over mTLS and a real database: collect
 * coordination across replicas, collect failures, clean-up and the holes around starting an order. Every call that
 * reaches BankID is recorded.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { loadRpCertificateFiles, type RpCertificate } from '../../src/bankid/certificate.ts';
import { BankIdClient } from '../../src/bankid/client.ts';
import { closeAgents } from '../../src/bankid/transport.ts';
import { CompletionVerifier, sentDataDigest } from '../../src/bankid/verification/index.ts';
import type { BankIdApi } from '../../src/bankid/types.ts';
import { loadConfig } from '../../src/config/load.ts';
import { BrokerError, CATALOGUE } from '../../src/errors/catalogue.ts';
import { DomainEvents } from '../../src/events/emitter.ts';
import type { DomainEventMap } from '../../src/events/types.ts';
import { Collector, type CollectorOptions } from '../../src/orders/collector.ts';
import { OrderFlow, errorMessage, type OrderFlowOptions, type StartOrder } from '../../src/orders/flow.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { OrderRepository } from '../../src/storage/orders.ts';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.ts';
import { createCertificate } from '../../src/simulator/pki.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { SimulatorControl } from '../helpers/broker.ts';
import { oneCertificate } from '../helpers/connections.ts';
import { until } from '../helpers/until.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let simulator: RunningSimulator;
let sim: SimulatorControl;
let certificate: RpCertificate;
let client: BankIdClient;
let statements = 0;
const logger = createLogger({ level: 'silent', format: 'json' });
/** The settings' defaults for the BankID client and the simulator. */
const defaults = loadConfig({});

/** A call that reached BankID, with when it started and when it settled (performance.now()). */
interface Call { endpoint: 'auth' | 'collect' | 'cancel'; orderRef: string; started: number; ended?: number }
const calls: Call[] = [];

function recorded<T>(endpoint: Call['endpoint'], orderRef: string, run: () => Promise<T>): Promise<T> {
  const call: Call = { endpoint, orderRef, started: performance.now() };
  calls.push(call);
  return run().finally(() => { call.ended = performance.now(); });
}
const callsOf = (endpoint: Call['endpoint'], orderRef: string) => calls.filter((c) => c.endpoint === endpoint && c.orderRef === orderRef);
const collectsRunning = (orderRef: string) => callsOf('collect', orderRef).filter((c) => c.ended === undefined).length;

interface ServiceOptions extends Partial<Pick<OrderFlowOptions, 'orders' | 'leftGraceMs' | 'logger' | 'firstCollectAfterMs'>> {}

interface CollectorTestOptions extends Partial<Pick<CollectorOptions, 'intervalMs' | 'logger' | 'accountIdFor' | 'concurrency' | 'verifier' | 'events' | 'unansweredLimit'>> {
  /** Runs after the order started, before it is approved and collected (completeWith). */
  before?: (orderId: string) => Promise<void>;
  /** Where collects go instead of the simulator (a dead port, a gate). */
  collectVia?: Pick<BankIdApi, 'collect'>;
}

/** The simulator's RP API, with every call recorded; collects go to `collectVia` when given. */
function recordedApi(collectVia: Pick<BankIdApi, 'collect'> = client): BankIdApi {
  return {
    auth: async (r, o) => {
      const response = await client.auth(r, o);
      calls.push({ endpoint: 'auth', orderRef: response.orderRef, started: performance.now(), ended: performance.now() });
      return response;
    },
    sign: (r, o) => client.sign(r, o),
    payment: (r, o) => client.payment(r, o),
    phoneAuth: (r, o) => client.phoneAuth(r, o),
    phoneSign: (r, o) => client.phoneSign(r, o),
    collect: (ref, o) => recorded('collect', ref, () => collectVia.collect(ref, o)),
    cancel: (ref, o) => recorded('cancel', ref, () => client.cancel(ref, o)),
  };
}

function service(options: ServiceOptions = {}): OrderFlow {
  return new OrderFlow({
    bankid: oneCertificate(recordedApi(), certificate.fingerprint), orders: options.orders ?? new OrderRepository(database.db),
    logger: options.logger ?? logger, leftGraceMs: options.leftGraceMs, firstCollectAfterMs: options.firstCollectAfterMs, events: new DomainEvents(),
  });
}

/** One replica's collector; its loop runs only after start(), a test may run single rounds with collectDue(). */
function collector(options: CollectorTestOptions = {}): Collector {
  return new Collector({
    bankid: oneCertificate(recordedApi(options.collectVia), certificate.fingerprint), orders: new OrderRepository(database.db), logger: options.logger ?? logger,
    accountIdFor: options.accountIdFor ?? ((c) => `sub-${c.user.personalNumber}`),
    personKeyFor: (c) => `person-${c.user.personalNumber.length}`, events: options.events ?? new DomainEvents(),
    verifier: options.verifier ?? new CompletionVerifier({ userRootsPem: simulator.userRootCaPem }),
    intervalMs: options.intervalMs ?? 2000, concurrency: options.concurrency ?? 64, unansweredLimit: options.unansweredLimit,
  });
}

/** Orders of earlier tests are left to their own fate: nobody collects them within this test. */
async function parkOtherOrders(): Promise<void> {
  await sql`update bankid_orders set collect_lease_until = now() + interval '1 hour' where status = 'pending'`.execute(database.db);
}

const request = (interactionId: string, browserBinding = 'browser-1'): StartOrder => ({
  interactionId, clientId: 'c1', startMethod: 'qr', endUserIp: '192.0.2.10', browserBinding, mobile: false,
  web: { referringDomain: 'localhost', userAgent: 'test', deviceIdentifier: 'd'.repeat(64) },
});

const rowOf = (orderId: string) => database.db.selectFrom('bankid_orders').selectAll().where('id', '=', orderId).executeTakeFirstOrThrow();

/** Our row says cancelled and BankID no longer has the order (the simulator forgets an order the RP cancelled). */
async function assertCancelledAtBankId(orderId: string, status: 'cancelled' | 'failed' = 'cancelled'): Promise<void> {
  const row = await rowOf(orderId);
  assert.equal(row.status, status);
  assert.equal(callsOf('cancel', row.order_ref).length, 1, 'one cancel reached BankID');
  assert.equal(await sim.order(row.order_ref), undefined, 'BankID no longer has the order');
}

before(async () => {
  database = await createTestDatabase({ onQuery: () => { statements++; } });
  simulator = await startSimulator({ ...defaults.simulator, certsDir: join(mkdtempSync(join(tmpdir(), 'brygga-login-')), 'certs'), port: 0, controlPort: 0 });
  sim = new SimulatorControl(simulator.controlUrl);
  certificate = loadRpCertificateFiles({ certFile: simulator.rpP12File, passphrase: simulator.rpP12Passphrase });
  client = new BankIdClient({ baseUrl: simulator.apiUrl, certificate, caPem: readFileSync(simulator.caFile, 'utf8'), timeoutMs: defaults.bankid.timeoutMs, maintenanceRetries: defaults.bankid.maintenanceRetries });
});
after(async () => {
  closeAgents();
  await simulator?.close();
  await database?.close();
});

test('an order is first collected the collect interval after its start, by the database clock, not at once', async () => {
  await parkOtherOrders();
  const { orderId } = await service({ firstCollectAfterMs: 2000 }).start(request('i-first-collect'));
  const row = await rowOf(orderId);
  assert.equal(row.collect_lease_until!.getTime() - row.created_at.getTime(), 2000, 'due 2 s after the start');
  assert.equal(await collector().collectDue(), 0, 'nobody can have scanned yet');
  assert.equal(callsOf('collect', row.order_ref).length, 0);
  await sql`update bankid_orders set collect_lease_until = now() where id = ${orderId}`.execute(database.db); // 2 s later
  assert.equal(await collector().collectDue(), 1);
  assert.equal(callsOf('collect', row.order_ref).length, 1);
});

test('a status poll is one statement and never calls BankID; a collect that brings nothing new writes nothing', async () => {
  await parkOtherOrders();
  const s = service();
  const c = collector();
  const { orderId } = await s.start(request('i-count'));
  const ref = (await rowOf(orderId)).order_ref;
  statements = 0;
  assert.equal((await s.status('i-count', 'browser-1'))?.state, 'pending');
  assert.equal(statements, 1, 'the poll itself');
  assert.equal(callsOf('collect', ref).length, 0, 'a poll never calls BankID');
  statements = 0;
  assert.equal(await c.collectDue(), 1);
  assert.equal(callsOf('collect', ref).length, 1);
  assert.equal(statements, 1, 'the claim, nothing written after the collect');
  statements = 0;
  assert.equal(await c.collectDue(), 0, 'within the lease: nothing due');
  assert.equal(callsOf('collect', ref).length, 1);
  assert.equal(statements, 1);
  await c.close();
});

test('three replicas\' collectors and 100 watched orders: each order is collected at most once per 2 s, counted at BankID', { timeout: 60_000 }, async () => {
  await parkOtherOrders();
  const s = service();
  const started = await Promise.all(Array.from({ length: 100 }, (_, i) => s.start(request(`i-crowd-${i}`))));
  const refs = await Promise.all(started.map(async ({ orderId }) => (await rowOf(orderId)).order_ref));
  // Small batches, so the replicas' claims interleave and compete for the same due orders.
  const replicas = [collector({ concurrency: 16 }), collector({ concurrency: 16 }), collector({ concurrency: 16 })];
  let orders;
  try {
    for (const replica of replicas) replica.start();
    // The pages watch as they would: one poll each, on any replica.
    await Promise.all(started.map((_, i) => s.status(`i-crowd-${i}`, 'browser-1')));
    const crowd = new Set(refs);
    orders = await until(async () => (await sim.orders()).filter((o) => crowd.has(String(o.orderRef))), (all) => all.length === 100 && all.every((o) => Number(o.collects) >= 3), 'every order collected three times', 100, 250);
  } finally {
    await Promise.all(replicas.map((r) => r.close()));
    await sql`update bankid_orders set status = 'cancelled' where interaction_id like 'i-crowd-%' and status = 'pending'`.execute(database.db);
  }
  // The simulator here shares this process's one thread with three collectors (and, on the embedded engine, with
  // every statement), so when it notes a call lags by however busy that thread is; a real BankID sees only the
  // network's jitter, which the lease's 200 ms above the interval covers.
  const tolerance = database.kind === 'pglite' ? 300 : 100;
  for (const order of orders) {
    assert.equal(order.status, 'pending');
    assert.ok(Number(order.shortestCollectGapMs) >= 2000 - tolerance, `${String(order.orderRef)} was collected twice within ${String(order.shortestCollectGapMs)} ms`);
  }
});

test('a collect that waits on BankID holds up no poll; close() waits for that collect', async () => {
  await parkOtherOrders();
  const s = service();
  const c = collector();
  const { orderId } = await s.start(request('i-busy'));
  const ref = (await rowOf(orderId)).order_ref;
  // BankID holds this collect for 5 s; the poll must not wait for it.
  await sim.post('/sim/faults', { endpoint: 'collect', delayMs: 5000, times: 1 });
  let state;
  let running;
  try {
    void c.collectDue();
    await until(async () => collectsRunning(ref), (n) => n === 1, 'the collect reached BankID');
    state = await s.status('i-busy', 'browser-1');
    running = collectsRunning(ref);
    await c.close(); // the collect gives up at its deadline, within the lease
  } finally {
    // Clearing the fault releases a call it still holds: only after the collect gave up.
    await sim.clearFaults();
  }
  assert.equal(state?.state, 'pending');
  assert.match(state.state === 'pending' ? state.qr ?? '' : '', /^bankid\./, 'the QR keeps moving');
  assert.equal(running, 1, 'the poll answered while BankID still had the collect');
  assert.equal(collectsRunning(ref), 0);
  assert.equal((await rowOf(orderId)).collect_failures, 1, 'a collect without an answer is counted, not fatal');
  assert.equal((await s.status('i-busy', 'browser-1'))?.state, 'pending');
});

test('a slow BankID: collects of one order never overlap across replicas; collects that run out of their lease end the order only at the unanswered limit', async () => {
  await parkOtherOrders();
  const s = service();
  const replicas = () => [collector({ intervalMs: 1000, unansweredLimit: 4 }), collector({ intervalMs: 1000, unansweredLimit: 4 })];
  const { orderId } = await s.start(request('i-slow'));
  const ref = (await rowOf(orderId)).order_ref;
  await sim.post('/sim/faults', { endpoint: 'collect', delayMs: 3000, times: 20 });
  let afterThree;
  try {
    const first = replicas();
    for (const r of first) r.start();
    await until(async () => callsOf('collect', ref).length, (n) => n >= 3, 'three collects', 300, 20);
    await Promise.all(first.map((r) => r.close()));
    // Three unanswered collects: more than BankID's trouble gets (COLLECT_FAILURE_LIMIT), fewer than the limit.
    afterThree = await s.status('i-slow', 'browser-1');
    const second = replicas();
    for (const r of second) r.start();
    await until(async () => callsOf('collect', ref).length, (n) => n >= 4, 'a fourth collect', 300, 20);
    await Promise.all(second.map((r) => r.close()));
  } finally {
    await sim.clearFaults();
  }
  assert.equal(afterThree?.state, 'pending', 'three collects that ran out of their lease do not end the order');
  const collects = callsOf('collect', ref).sort((a, b) => a.started - b.started);
  assert.equal(collects.length, 4);
  for (let i = 1; i < collects.length; i++) {
    assert.ok(collects[i]!.started >= collects[i - 1]!.ended!, `collect ${i} started before collect ${i - 1} had ended`);
  }
  const state = await s.status('i-slow', 'browser-1');
  assert.deepEqual(state, { orderId, startMethod: 'qr', state: 'failed', hintCode: 'outstandingTransaction', errorCode: 'transport' });
  await assertCancelledAtBankId(orderId, 'failed');
});

test('BankID unreachable during collect: quietly tried again, then the order fails and is cancelled', async () => {
  await parkOtherOrders();
  const deadPort = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
  const unreachable = new BankIdClient({ baseUrl: `https://localhost:${deadPort}/rp/v6.0/`, certificate, caPem: simulator.caPem, timeoutMs: defaults.bankid.timeoutMs, maintenanceRetries: defaults.bankid.maintenanceRetries });
  const s = service();
  const c = collector({ collectVia: unreachable, intervalMs: 1000 });
  const { orderId } = await s.start(request('i-unreachable'));
  const ref = (await rowOf(orderId)).order_ref;
  const seen: string[] = [];
  c.start();
  const state = await until(async () => {
    const current = await s.status('i-unreachable', 'browser-1');
    seen.push(current!.state);
    return current;
  }, (x) => x?.state === 'failed', 'the order fails', 100, 100);
  await c.close();
  assert.equal(callsOf('collect', ref).length, 3, 'three collects without an answer, one per interval');
  assert.ok(seen.slice(0, -1).every((x) => x === 'pending'), 'pending until the last failure');
  assert.equal(state?.state === 'failed' ? state.errorCode : '', 'transport');
  await assertCancelledAtBankId(orderId, 'failed');
});

test('an error that is not BankID\'s passing trouble ends the order at once, cancelled at BankID', async () => {
  await parkOtherOrders();
  // BankID refuses the collect (400): asking again would not help.
  const s = service();
  const { orderId: refusedId } = await s.start(request('i-refused'));
  await sim.post('/sim/faults', { endpoint: 'collect', status: 400, errorCode: 'invalidParameters', times: 1 });
  try {
    await collector().collectDue();
  } finally {
    await sim.clearFaults();
  }
  const state = await s.status('i-refused', 'browser-1');
  assert.equal(state?.state === 'failed' ? state.errorCode : '', 'invalidParameters');
  await assertCancelledAtBankId(refusedId, 'failed');

  // Our own bug while collecting: the same, under `internal`.
  const { orderId: brokenId } = await s.start(request('i-broken'));
  await collector({ collectVia: { collect: () => Promise.reject(new TypeError('a bug')) } }).collectDue();
  const brokenState = await s.status('i-broken', 'browser-1');
  assert.equal(brokenState?.state === 'failed' ? brokenState.errorCode : '', 'internal');
  await assertCancelledAtBankId(brokenId, 'failed');
});

test('work after the collect that throws is logged, never an unhandled rejection', async () => {
  await parkOtherOrders();
  const lines: string[] = [];
  const capture = createLogger({ level: 'error', format: 'json', destination: new Writable({ write(chunk, _e, cb) { lines.push(String(chunk)); cb(); } }) });
  const s = service();
  const { orderId } = await s.start(request('i-throws'));
  await sim.post(`/sim/orders/${(await rowOf(orderId)).order_ref}/approve`, { personalNumber: '199908072391' });
  await collector({ logger: capture, accountIdFor: () => { throw new Error('no subject secret'); } }).collectDue();
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /"msg":"bankid collect failed"/);
  assert.match(lines[0]!, /no subject secret/);
  assert.equal((await rowOf(orderId)).status, 'pending', 'nothing recorded');
});

test('another browser sees nothing of the order, and can neither cancel it nor mark it left', async () => {
  const s = service();
  const { orderId } = await s.start(request('i-binding', 'browser-A'));
  assert.equal(await s.status('i-binding', 'browser-B'), undefined);
  await s.cancelFor('i-binding', 'browser-B');
  await s.leave('i-binding', 'browser-B');
  const row = await rowOf(orderId);
  assert.equal(row.status, 'pending');
  assert.equal(row.left_at, null);
  assert.equal((await sim.order(row.order_ref))?.status, 'pending');
  assert.equal(callsOf('cancel', row.order_ref).length, 0);
  assert.equal((await s.status('i-binding', 'browser-A'))?.state, 'pending');
  await s.close();
});

test('orders nobody polls any more are cancelled at BankID', async () => {
  const s = service();
  const { orderId } = await s.start(request('i-abandoned'));
  const fresh = await s.start(request('i-watched'));
  assert.equal((await sim.order((await rowOf(orderId)).order_ref))?.status, 'pending');
  await sql`update bankid_orders set last_seen_at = now() - interval '1 minute' where id = ${orderId}`.execute(database.db);
  assert.equal(await s.cancelAbandoned(30, 240), 1);
  await assertCancelledAtBankId(orderId);
  const state = await s.status('i-abandoned', 'browser-1');
  assert.equal(state?.state, 'failed');
  assert.equal(state?.state === 'failed' ? state.hintCode : '', 'cancelled');
  assert.equal((await s.status('i-watched', 'browser-1'))?.state, 'pending', `${fresh.orderId} was left alone`);
  await s.close();
});

test('a page that left is cancelled after the grace, one that polled again is kept', async () => {
  const s = service({ leftGraceMs: 200 });
  const gone = await s.start(request('i-gone'));
  const back = await s.start(request('i-back'));
  await s.leave('i-gone', 'browser-1');
  await s.leave('i-back', 'browser-1');
  await s.status('i-back', 'browser-1'); // the reloaded page polls again
  const goneRef = (await rowOf(gone.orderId)).order_ref;
  await until(() => sim.order(goneRef), (o) => o === undefined, 'the left order is cancelled at BankID');
  await assertCancelledAtBankId(gone.orderId);
  const kept = await rowOf(back.orderId);
  assert.equal(kept.status, 'pending');
  assert.equal((await sim.order(kept.order_ref))?.status, 'pending');
  await s.close();
});

test('the stream the page had open when it left does not keep its order; a poll after the beacon does', async () => {
  const s = service({ leftGraceMs: 200 });
  const gone = await s.start(request('i-stream-gone'));
  const back = await s.start(request('i-stream-back'));
  await s.leave('i-stream-gone', 'browser-1');
  await s.leave('i-stream-back', 'browser-1');
  await s.status('i-stream-back', 'browser-1'); // the reloaded page's new stream opens with a poll
  // The hub's keep-alive, before the server has seen the old streams close: it must not count as the pages coming back.
  const kept = await s.stillWatched([gone.orderId, back.orderId]);
  assert.deepEqual([...kept.keys()], [back.orderId]);
  const goneRef = (await rowOf(gone.orderId)).order_ref;
  await until(() => sim.order(goneRef), (o) => o === undefined, 'the left order is cancelled at BankID');
  await assertCancelledAtBankId(gone.orderId);
  assert.equal((await rowOf(back.orderId)).status, 'pending');
  await s.close();
});

test('a beacon arriving after the switch to same-device leaves the new order alone', async () => {
  const s = service({ leftGraceMs: 200 });
  const { orderId } = await s.start({ ...request('i-switched'), startMethod: 'same_device', returnUrlFor: (nonce) => `http://localhost/return?nonce=${nonce}` });
  await s.leave('i-switched', 'browser-1'); // the QR page's beacon, after the new order was started
  assert.equal((await rowOf(orderId)).left_at, null);
  await s.close();
});

test('a terminal state written first wins over a collect that answers later', async () => {
  await parkOtherOrders();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => { release = resolve; });
  let answered = false;
  // BankID's answer is held back until the person's cancel has been recorded.
  const c = collector({ collectVia: { collect: async (ref, o) => { const r = await client.collect(ref, o); answered = true; await gate; return r; } } });
  const s = service();
  const { orderId } = await s.start(request('i-race'));
  const ref = (await rowOf(orderId)).order_ref;
  await sim.post(`/sim/orders/${ref}/approve`, { personalNumber: '199908072391' });
  const round = c.collectDue();
  await until(async () => answered, Boolean, 'BankID answered the collect');
  await s.cancelFor('i-race', 'browser-1');
  release();
  await round;
  const row = await rowOf(orderId);
  assert.equal(row.status, 'cancelled', 'the late complete did not overwrite the cancel');
  assert.equal(row.subject, null);
  assert.equal(row.completion, null);
});

test('a completed order is kept with its subject; a later cancel changes nothing', async () => {
  await parkOtherOrders();
  const s = service();
  const { orderId } = await s.start(request('i-complete'));
  const row = await rowOf(orderId);
  const approved = await sim.post(`/sim/orders/${row.order_ref}/approve`, { personalNumber: '199908072391' });
  assert.equal(approved.status, 200, JSON.stringify(approved.json));
  assert.equal(await collector().collectDue(), 1);
  const state = await s.status('i-complete', 'browser-1');
  assert.equal(state?.state === 'complete' ? state.subject : '', 'sub-199908072391');
  await s.cancelFor('i-complete', 'browser-1'); // too late: nothing changes
  assert.equal((await s.status('i-complete', 'browser-1'))?.state, 'complete');
  assert.equal(callsOf('cancel', row.order_ref).length, 0);
  assert.equal((await rowOf(orderId))?.subject, 'sub-199908072391');
  await s.close();
});

/** Starts an order, has the simulator approve it, and runs one collect round with `options`; returns the order id and what was logged. */
async function completeWith(interactionId: string, options: CollectorTestOptions, start: Partial<StartOrder> = {}) {
  await parkOtherOrders();
  const lines: string[] = [];
  const capture = createLogger({ level: 'error', format: 'json', destination: new Writable({ write(chunk, _e, cb) { lines.push(String(chunk)); cb(); } }) });
  const s = service();
  const { orderId } = await s.start({ ...request(interactionId), ...start });
  await options.before?.(orderId);
  const approved = await sim.post(`/sim/orders/${(await rowOf(orderId)).order_ref}/approve`, { personalNumber: '199908072391' });
  assert.equal(approved.status, 200, JSON.stringify(approved.json));
  assert.equal(await collector({ ...options, logger: capture }).collectDue(), 1);
  return { s, orderId, lines, state: await s.status(interactionId, 'browser-1') };
}

test('a completion whose signer does not chain to the configured user root fails the order, named in the log and the event, nothing of the person kept', async () => {
  const foreignRoot = createCertificate({ subject: { CN: 'Not BankID Root' }, ca: true, keyBits: 1024 });
  const events = new DomainEvents();
  const failed: DomainEventMap['order.failed'][] = [];
  events.on('order.failed', (e) => failed.push(e));
  const { s, orderId, lines, state } = await completeWith('i-unverified', { verifier: new CompletionVerifier({ userRootsPem: foreignRoot.certPem }), events });
  const row = await rowOf(orderId);
  assert.deepEqual([row.status, row.error_code, row.completion, row.subject], ['failed', 'bankid_result_unverified', null, null]);
  assert.equal(state?.state, 'failed');
  assert.equal(state?.state === 'failed' ? state.errorCode : undefined, 'bankid_result_unverified');
  assert.deepEqual(errorMessage('bankid_result_unverified', 'qr', false), CATALOGUE.bankid_result_unverified.text, 'the person reads the catalogue text');
  assert.deepEqual(failed.map((e) => [e.orderId, e.errorCode, e.failedChecks]), [[orderId, 'bankid_result_unverified', ['certificateChain']]]);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /"msg":"bankid completion failed verification; order failed"/);
  assert.match(lines[0]!, /"failedChecks":\["certificateChain"\]/);
  assert.doesNotMatch(lines[0]!, /199908072391/, 'never the personal number');
  // The ledger keeps the lasting record: a failed order, with the reason.
  const ledger = await database.db.selectFrom('usage_ledger').select(['outcome', 'error_code']).where('order_id', '=', orderId).execute();
  assert.deepEqual(ledger, [{ outcome: 'failed', error_code: 'bankid_result_unverified' }]);
  await s.close();
});

test('the text shown at the start is what the completion must have signed: a stored digest of other text fails the order on sentData', async () => {
  const text = 'Logga in hos Kommun A';
  // Untouched, the digest kept at the start matches what the simulator's signature says was shown.
  const kept = await completeWith('i-sent-ok', { before: async (orderId) => {
    assert.equal((await rowOf(orderId)).sent_data_digest, sentDataDigest({ userVisibleData: text }));
  } }, { userVisibleData: text });
  assert.equal(kept.state?.state, 'complete', kept.lines.join('\n'));
  assert.equal((await rowOf(kept.orderId)).sent_data_digest, null, 'a finished order keeps no digest of the texts');
  await kept.s.close();

  const changed = await completeWith('i-sent-changed', { before: async (orderId) => {
    await sql`update bankid_orders set sent_data_digest = ${sentDataDigest({ userVisibleData: `${text}!` })} where id = ${orderId}`.execute(database.db);
  } }, { userVisibleData: text });
  assert.equal((await rowOf(changed.orderId)).error_code, 'bankid_result_unverified');
  assert.match(changed.lines[0]!, /"failedChecks":\["sentData"\]/);
  await changed.s.close();
});

test('an order BankID started but we could not store is cancelled at BankID', async () => {
  class UnwritableOrders extends OrderRepository {
    override async create(): Promise<void> { throw new Error('disk full'); }
  }
  const s = service({ orders: new UnwritableOrders(database.db) });
  const auths = calls.filter((c) => c.endpoint === 'auth').length;
  await assert.rejects(s.start(request('i-unstored')), (err) => err instanceof BrokerError && err.code === 'internal' && err.status === 500);
  const started = calls.filter((c) => c.endpoint === 'auth');
  assert.equal(started.length, auths + 1, 'BankID did start the order');
  const ref = started.at(-1)!.orderRef;
  assert.equal(callsOf('cancel', ref).length, 1);
  assert.equal(await sim.order(ref), undefined, 'BankID no longer has the order');
});

test('our own invalid request is request_invalid (400), not a BankID failure, and nothing reaches BankID', async () => {
  const s = service();
  const auths = calls.filter((c) => c.endpoint === 'auth').length;
  await assert.rejects(s.start({ ...request('i-invalid'), endUserIp: 'not-an-address' }), (err) => {
    assert.ok(err instanceof BrokerError);
    assert.equal(err.code, 'request_invalid');
    assert.equal(err.status, 400);
    assert.match(err.message, /endUserIp/);
    return true;
  });
  assert.equal(calls.filter((c) => c.endpoint === 'auth').length, auths);
});
