/**
 * The transaction ledger through the real order flow and collector against the simulator over mTLS: every way an
 * order ends lands as one row, in the statement that ends it, across two tenants and two certificates; the report
 * counts them per client and certificate; no row holds a person; a finished row cannot be changed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { loadRpCertificateFiles } from '../../src/bankid/certificate.ts';
import { BankIdClient } from '../../src/bankid/client.ts';
import { closeAgents } from '../../src/bankid/transport.ts';
import { CompletionVerifier } from '../../src/bankid/verification/index.ts';
import { loadConfig } from '../../src/config/load.ts';
import { DomainEvents } from '../../src/events/emitter.ts';
import type { DomainEventMap } from '../../src/events/types.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { ledgerPersonKey } from '../../src/oidc/subject.ts';
import { Collector } from '../../src/orders/collector.ts';
import type { BankIdConnections } from '../../src/orders/connections.ts';
import { OrderFlow, type StartMethod } from '../../src/orders/flow.ts';
import { OrderRepository } from '../../src/storage/orders.ts';
import { putTariff } from '../../src/storage/usage.ts';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.ts';
import { usageReport, type UsageReportRow } from '../../src/usage/report.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { SimulatorControl } from '../helpers/broker.ts';

const defaults = loadConfig({});
const logger = createLogger({ level: 'silent', format: 'json' });
const SECRET = 'ledger-test-subject-secret';
const PEOPLE = ['199908072391', '191212121212', '200001012384'] as const;

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let simulator: RunningSimulator;
let sim: SimulatorControl;
let flow: OrderFlow;
let collector: Collector;
/** The simulator's clock runs this far ahead: orders expire without waiting. */
let skewMs = 0;
const events: { name: keyof DomainEventMap; event: unknown }[] = [];
const statements: string[] = [];
let counting = false;

before(async () => {
  database = await createTestDatabase({ onQuery: (s) => { if (counting) statements.push(s); } });
  simulator = await startSimulator({ ...defaults.simulator, certsDir: join(mkdtempSync(join(tmpdir(), 'brygga-ledger-')), 'certs'), port: 0, controlPort: 0, now: () => Date.now() + skewMs });
  sim = new SimulatorControl(simulator.controlUrl);
  const certificate = loadRpCertificateFiles({ certFile: simulator.rpP12File, passphrase: simulator.rpP12Passphrase });
  const api = new BankIdClient({ baseUrl: simulator.apiUrl, certificate, caPem: readFileSync(simulator.caFile, 'utf8'), timeoutMs: defaults.bankid.timeoutMs, maintenanceRetries: 0 });
  // Tenant B's clients order through certificate B; the ledger keeps the fingerprint each order was started with.
  const bankid: BankIdConnections = {
    forClient: async (clientId) => ({ api, rpCertificate: clientId.startsWith('b') ? 'cert-B' : 'cert-A' }),
    forCertificate: async (fingerprint) => {
      if (fingerprint !== 'cert-A' && fingerprint !== 'cert-B') throw new Error(`no certificate ${fingerprint}`);
      return api;
    },
  };
  const domainEvents = new DomainEvents();
  for (const name of ['order.started', 'order.collected', 'order.completed', 'order.failed', 'order.cancelled', 'order.expired'] as const) {
    domainEvents.on(name, (event) => events.push({ name, event }));
  }
  const orders = new OrderRepository(database.db);
  flow = new OrderFlow({ bankid, orders, logger, events: domainEvents });
  collector = new Collector({
    bankid, orders, logger, events: domainEvents, intervalMs: 2000, concurrency: 8,
    accountIdFor: (c) => `sub-${c.user.personalNumber.slice(-4)}`,
    personKeyFor: (c) => ledgerPersonKey(SECRET, c.user.personalNumber),
    verifier: new CompletionVerifier({ userRootsPem: simulator.userRootCaPem }),
  });
  await sql`insert into tenants (id, name_sv, name_en) values ('kommun-b', 'Kommun B', 'Municipality B')`.execute(database.db);
  for (const [client, tenant] of [['a1', 'default'], ['a2', 'default'], ['b1', 'kommun-b']]) {
    await sql`insert into clients (client_id, metadata, tenant_id) values (${client}, ${JSON.stringify({ client_id: client })}, ${tenant})`.execute(database.db);
  }
  await putTariff(database.db, 'kommun-b', { validFrom: '2000-01-01', price: '2.5', currency: 'SEK' });
});
after(async () => {
  await collector?.close();
  await flow?.close();
  closeAgents();
  await simulator?.close();
  await database?.close();
});

let seq = 0;
async function start(clientId: string, startMethod: StartMethod = 'qr') {
  const interactionId = `i-${++seq}`;
  const { orderId } = await flow.start({
    interactionId, clientId, startMethod, endUserIp: '192.0.2.10', browserBinding: 'browser-1', mobile: false,
    web: { referringDomain: 'localhost', userAgent: 'test', deviceIdentifier: 'd'.repeat(64) },
    returnUrlFor: startMethod === 'same_device' ? (nonce) => `https://rp.example/return#${nonce}` : undefined,
  });
  const row = await database.db.selectFrom('bankid_orders').selectAll().where('id', '=', orderId).executeTakeFirstOrThrow();
  return { orderId, interactionId, ref: row.order_ref };
}

/** Collects the order now (its lease cleared: no waiting for the interval), as one replica's collector would. */
async function collect(orderId: string): Promise<string> {
  await sql`update bankid_orders set collect_lease_until = null where id = ${orderId}`.execute(database.db);
  await collector.collectDue();
  return (await database.db.selectFrom('bankid_orders').select('status').where('id', '=', orderId).executeTakeFirstOrThrow()).status;
}

const ledgerRow = (orderId: string) => database.db.selectFrom('usage_ledger').selectAll().where('order_id', '=', orderId).executeTakeFirst();

function byId(rows: UsageReportRow[], kind: 'client' | 'certificate'): Map<string, UsageReportRow> {
  return new Map(rows.filter((r) => r.kind === kind).map((r) => [r.id, r]));
}

test('every way an order ends is one ledger row, counted per client and certificate across two tenants', { timeout: 60_000 }, async () => {
  // Tenant A, client a1: two completions by one person (QR), one by another (same device), one cancelled on the page.
  const completions: string[] = [];
  for (const [method, person] of [['qr', PEOPLE[0]], ['qr', PEOPLE[0]], ['same_device', PEOPLE[1]]] as const) {
    const o = await start('a1', method);
    assert.equal((await sim.post(`/sim/orders/${o.ref}/approve`, { personalNumber: person })).status, 200);
    counting = true;
    assert.equal(await collect(o.orderId), 'complete');
    counting = false;
    completions.push(o.orderId);
  }
  const finishing = statements.filter((s) => /usage_ledger/.test(s));
  assert.equal(finishing.length, 3, 'one statement per completion writes the ledger');
  assert.ok(finishing.every((s) => /update "bankid_orders"/.test(s)), 'in the statement that completes the order');
  const byPage = await start('a1');
  await flow.cancelFor(byPage.interactionId, 'browser-1');

  // Client a2: cancelled in the app, refused by BankID, abandoned and cancelled by the janitor.
  const inApp = await start('a2');
  await sim.post(`/sim/orders/${inApp.ref}/cancel`);
  assert.equal(await collect(inApp.orderId), 'failed');
  const refused = await start('a2');
  await sim.post('/sim/faults', { endpoint: 'collect', status: 400, errorCode: 'invalidParameters', times: 1 });
  try {
    assert.equal(await collect(refused.orderId), 'failed');
  } finally {
    await sim.clearFaults();
  }
  const abandoned = await start('a2');
  await sql`update bankid_orders set last_seen_at = now() - interval '1 minute' where id = ${abandoned.orderId}`.execute(database.db);
  assert.equal(await flow.cancelAbandoned(30, 240), 1);

  // Tenant B, client b1 on certificate B: a completion, a wrong same-device return, a start that failed, an expiry.
  const b = await start('b1');
  await sim.post(`/sim/orders/${b.ref}/approve`, { personalNumber: PEOPLE[2] });
  assert.equal(await collect(b.orderId), 'complete');
  const wrongReturn = await start('b1', 'same_device');
  assert.equal(await flow.verifyReturn(wrongReturn.interactionId, 'not-the-nonce', 'browser-1'), false);
  const neverScanned = await start('b1');
  skewMs += defaults.simulator.startTimeoutS * 1000 + 1000;
  assert.equal(await collect(neverScanned.orderId), 'failed');
  const expiring = await start('b1');
  const qr = String((await sim.order(expiring.ref))?.qr);
  assert.equal((await sim.post('/sim/app/scan', { qr, personalNumber: PEOPLE[2] })).status, 200);
  assert.equal(await collect(expiring.orderId), 'pending');
  skewMs += defaults.simulator.orderTtlS * 1000 + 1000;
  assert.equal(await collect(expiring.orderId), 'failed');

  // What each row says of the end.
  const outcome = async (id: string) => { const r = await ledgerRow(id); return [r?.outcome, r?.cancelled_by, r?.hint_code, r?.error_code]; };
  assert.deepEqual(await outcome(byPage.orderId), ['cancelled', 'person', 'outstandingTransaction', null]);
  assert.deepEqual(await outcome(inApp.orderId), ['cancelled', 'person', 'userCancel', null]);
  assert.deepEqual(await outcome(refused.orderId), ['failed', null, 'outstandingTransaction', 'invalidParameters']);
  assert.deepEqual(await outcome(abandoned.orderId), ['cancelled', 'janitor', 'outstandingTransaction', null]);
  assert.deepEqual(await outcome(wrongReturn.orderId), ['cancelled', 'broker', 'outstandingTransaction', null]);
  assert.deepEqual(await outcome(neverScanned.orderId), ['failed', null, 'startFailed', null]);
  assert.deepEqual(await outcome(expiring.orderId), ['expired', null, 'expiredTransaction', null]);
  const first = (await ledgerRow(completions[0]!))!;
  assert.equal(first.tenant_id, 'default');
  assert.equal(first.rp_certificate, 'cert-A');
  assert.equal(first.collects, 1);
  // BankID's risk comes from the completion the same statement stored (returnRisk is always asked for).
  const stored = await database.db.selectFrom('bankid_orders').select('completion').where('id', '=', completions[0]!).executeTakeFirstOrThrow();
  assert.match(String(first.risk), /^(low|moderate|high)$/);
  assert.equal(first.risk, (stored.completion as { risk?: string }).risk);
  assert.ok(first.finished_at >= first.started_at && first.duration_ms >= 0);
  assert.equal((await ledgerRow(b.orderId))?.tenant_id, 'kommun-b');
  assert.equal((await ledgerRow(expiring.orderId))?.collects, 2);
  assert.deepEqual(events.filter((e) => e.name === 'order.cancelled').map((e) => (e.event as { by: string }).by).sort(), ['broker', 'janitor', 'person', 'person']);
  assert.equal(events.filter((e) => e.name === 'order.expired').length, 1);
  assert.equal(events.filter((e) => e.name === 'order.completed').length, 4);
  // Each end's event names the tenant its ledger row has: the audit trail's tenant is the invoice's.
  const ends = events.filter((e) => e.name !== 'order.started' && e.name !== 'order.collected').map((e) => e.event as { orderId: string; tenantId?: string });
  for (const end of ends) assert.equal(end.tenantId, (await ledgerRow(end.orderId))!.tenant_id, end.orderId);
  assert.deepEqual([...new Set(ends.map((e) => e.tenantId))].sort(), ['default', 'kommun-b']);

  const all = { from: '2000-01-01', to: '2100-01-01', by: 'month' } as const;
  const a = await usageReport(database.db, { tenantId: 'default', ...all });
  const clientsA = byId(a.rows, 'client');
  assert.deepEqual([...clientsA.keys()], ['a1', 'a2'], 'tenant A sees only its clients');
  const a1 = clientsA.get('a1')!;
  assert.deepEqual([a1.started, a1.completed, a1.billable, a1.cancelled, a1.cancelled_by_person, a1.qr, a1.same_device, a1.unique_persons, a1.conversion], [4, 3, 3, 1, 1, 3, 1, 2, 0.75]);
  assert.ok(a1.median_ms !== null && a1.p95_ms !== null && a1.p95_ms >= a1.median_ms);
  const a2 = clientsA.get('a2')!;
  assert.deepEqual([a2.started, a2.completed, a2.billable, a2.failed, a2.cancelled, a2.cancelled_by_person, a2.cancelled_by_janitor, a2.unique_persons, a2.median_ms], [3, 0, 0, 1, 2, 1, 1, 0, null]);
  assert.deepEqual(a2.failures, { invalidParameters: 1 });
  assert.deepEqual([...byId(a.rows, 'certificate').entries()].map(([id, r]) => [id, r.started, r.billable, r.amount]), [['cert-A', 7, 3, null]], 'no tariff: no amount');

  const bReport = await usageReport(database.db, { tenantId: 'kommun-b', ...all });
  const b1 = byId(bReport.rows, 'client').get('b1')!;
  assert.deepEqual([b1.started, b1.completed, b1.billable, b1.failed, b1.expired, b1.cancelled_by_broker, b1.qr, b1.same_device], [4, 1, 1, 1, 1, 1, 3, 1]);
  assert.deepEqual(b1.failures, { startFailed: 1 }, 'a failed order is never billable');
  assert.deepEqual([...byId(bReport.rows, 'certificate').entries()].map(([id, r]) => [id, r.started, r.billable, r.amount, r.currency]), [['cert-B', 4, 1, '2.50', 'SEK']]);
});

test('no ledger row holds a personal number or a name; the person is a keyed hash that is not the sub', async () => {
  const rows = await database.db.selectFrom('usage_ledger').selectAll().execute();
  assert.equal(rows.length, 11);
  const names = (await database.db.selectFrom('bankid_orders').select('completion').where('status', '=', 'complete').execute())
    .map((r) => (r.completion as { user: { name: string; givenName: string; surname: string } }).user);
  assert.equal(names.length, 4);
  const text = JSON.stringify(rows);
  for (const person of PEOPLE) assert.ok(!text.includes(person) && !text.includes(person.slice(2)), `no personal number ${person}`);
  for (const user of names) for (const part of [user.name, user.givenName, user.surname]) assert.ok(!text.includes(part), `no name ${part}`);
  const keys = rows.filter((r) => r.outcome === 'complete').map((r) => r.person_key);
  assert.deepEqual(new Set(keys), new Set([PEOPLE[0], PEOPLE[1], PEOPLE[2]].map((p) => ledgerPersonKey(SECRET, p))));
  assert.ok(rows.filter((r) => r.outcome !== 'complete').every((r) => r.person_key === null));
});

test('a finished row can be neither updated nor deleted, and outlives the retention of its order', async () => {
  const [row] = await database.db.selectFrom('usage_ledger').selectAll().where('outcome', '=', 'complete').limit(1).execute();
  await assert.rejects(sql`update usage_ledger set outcome = 'failed' where order_id = ${row!.order_id}`.execute(database.db), /append-only/);
  await assert.rejects(sql`delete from usage_ledger where order_id = ${row!.order_id}`.execute(database.db), /append-only/);
  await sql`delete from bankid_orders`.execute(database.db);
  assert.equal((await ledgerRow(row!.order_id))?.outcome, 'complete');
  assert.equal((await database.db.selectFrom('usage_ledger').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n, '11');
});
