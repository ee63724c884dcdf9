/** The BankID login flow against the simulator over mTLS and a real database: collect coordination and clean-up. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { loadRpCertificateFiles } from '../../src/bankid/certificate.ts';
import { BankIdClient } from '../../src/bankid/client.ts';
import { closeAgents } from '../../src/bankid/transport.ts';
import type { BankIdApi } from '../../src/bankid/types.ts';
import { OrderFlow, type StartOrder } from '../../src/orders/flow.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { OrderRepository } from '../../src/storage/orders.ts';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { SimulatorControl } from '../helpers/broker.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let simulator: RunningSimulator;
let sim: SimulatorControl;
let collects = 0;
let cancels = 0;
const logger = createLogger({ level: 'silent', format: 'json' });

function service(): OrderFlow {
  const certificate = loadRpCertificateFiles({ certFile: simulator.rpP12File, passphrase: simulator.rpP12Passphrase });
  const client = new BankIdClient({ baseUrl: simulator.apiUrl, certificate, caPem: readFileSync(simulator.caFile, 'utf8'), timeoutMs: 10_000, maintenanceRetries: 3 });
  // Counts the calls that reach BankID, and otherwise passes them on unchanged.
  const counting: BankIdApi = {
    auth: (r) => client.auth(r),
    sign: (r) => client.sign(r),
    payment: (r) => client.payment(r),
    phoneAuth: (r) => client.phoneAuth(r),
    phoneSign: (r) => client.phoneSign(r),
    collect: (ref) => { collects++; return client.collect(ref); },
    cancel: (ref) => { cancels++; return client.cancel(ref); },
  };
  return new OrderFlow({ api: counting, orders: new OrderRepository(database.db), rpCertificate: certificate.fingerprint, accountIdFor: (c) => `sub-${c.user.personalNumber}`, logger, collectIntervalMs: 2000 });
}

const request = (interactionId: string, browserBinding = 'browser-1'): StartOrder => ({
  interactionId, clientId: 'c1', startMethod: 'qr', endUserIp: '192.0.2.10', browserBinding, mobile: false,
  web: { referringDomain: 'localhost', userAgent: 'test', deviceIdentifier: 'd'.repeat(64) },
});

before(async () => {
  database = await createTestDatabase();
  simulator = await startSimulator({
    certsDir: join(mkdtempSync(join(tmpdir(), 'brygga-login-')), 'certs'), port: 0, controlPort: 0,
    host: '127.0.0.1', p12Passphrase: 'qwerty123', startTimeoutS: 30, orderTtlS: 180,
  });
  sim = new SimulatorControl(simulator.controlUrl);
});
after(async () => {
  closeAgents();
  await simulator?.close();
  await database?.close();
});

test('however many polls and replicas, BankID is collected once per interval', async () => {
  const replicaA = service();
  const replicaB = service();
  await replicaA.start(request('i-collect'));
  collects = 0;
  const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? replicaA : replicaB).status('i-collect', 'browser-1')));
  assert.ok(burst.every((s) => s?.state === 'pending'));
  assert.equal(collects, 1, 'one collect for twenty concurrent polls on two replicas');
  await Promise.all(Array.from({ length: 5 }, () => replicaB.status('i-collect', 'browser-1')));
  assert.equal(collects, 1, 'no second collect within the interval');
  assert.match(burst[0]!.state === 'pending' ? burst[0]!.qr ?? '' : '', /^bankid\./);
});

test('another browser sees nothing of the order', async () => {
  const s = service();
  await s.start(request('i-binding', 'browser-A'));
  assert.equal(await s.status('i-binding', 'browser-B'), undefined);
  assert.equal((await s.status('i-binding', 'browser-A'))?.state, 'pending');
});

test('orders nobody polls any more are cancelled at BankID', async () => {
  const s = service();
  const { orderId } = await s.start(request('i-abandoned'));
  const fresh = await s.start(request('i-watched'));
  await sql`update bankid_orders set last_seen_at = now() - interval '1 minute' where id = ${orderId}`.execute(database.db);
  cancels = 0;
  assert.equal(await s.cancelAbandoned(30, 240), 1);
  assert.equal(cancels, 1);
  const state = await s.status('i-abandoned', 'browser-1');
  assert.equal(state?.state, 'failed');
  assert.equal(state?.state === 'failed' ? state.hintCode : '', 'cancelled');
  const row = await database.db.selectFrom('bankid_orders').select('order_ref').where('id', '=', orderId).executeTakeFirstOrThrow();
  const atBankId = (await sim.orders()).find((o) => o.orderRef === row.order_ref);
  assert.ok(!atBankId || atBankId.status !== 'pending', 'the order no longer dangles at BankID');
  assert.equal((await s.status('i-watched', 'browser-1'))?.state, 'pending', `${fresh.orderId} was left alone`);
});

test('a completed order is kept with its subject; the first terminal state wins', async () => {
  const s = service();
  const { orderId } = await s.start(request('i-complete'));
  const row = await database.db.selectFrom('bankid_orders').select('order_ref').where('id', '=', orderId).executeTakeFirstOrThrow();
  const approved = await sim.post(`/sim/orders/${row.order_ref}/approve`, { personalNumber: '199908072391' });
  assert.equal(approved.status, 200, JSON.stringify(approved.json));
  const state = await s.status('i-complete', 'browser-1');
  assert.equal(state?.state, 'complete');
  assert.equal(state?.state === 'complete' ? state.subject : '', 'sub-199908072391');
  await s.cancelFor('i-complete', 'browser-1'); // too late: nothing changes
  assert.equal((await s.status('i-complete', 'browser-1'))?.state, 'complete');
  const found = await new OrderRepository(database.db).completedFor('sub-199908072391');
  assert.equal(found?.id, orderId);
});
