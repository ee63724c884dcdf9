/**
 * The client over real mutual TLS against Brygga's BankID simulator: every hint-code path driven through
 * the control API, every error code injected as a fault, and the simulator refusing strangers.
 */
import assert from 'node:assert/strict';
import { Agent, request } from 'node:https';
import { test } from 'node:test';
import { loadRpCertificate } from '../../src/bankid/certificate.ts';
import { AlreadyInProgressError, BankIdConnectionError, BankIdError, InvalidParametersError, MaintenanceError } from '../../src/bankid/errors.ts';
import { qrData, qrTime } from '../../src/bankid/qr.ts';
import type { AuthRequest, CollectResponse, OrderResponse } from '../../src/bankid/types.ts';
import { collectLog, createCa, createRpCertificate, ERROR_CASES } from './fixtures.ts';
import { useSimulator } from './simulator-suite.ts';

const PNR = '199908072391';
const AUTH: AuthRequest = { endUserIp: '127.0.0.1' };
const { t, client, control } = useSimulator();

/** Starts an order and remembers when on the simulator's clock, as the RP must for the QR time. */
async function startAuth(request: AuthRequest = AUTH): Promise<OrderResponse & { startedAt: number }> {
  const startedAt = t().clock.now();
  return { ...(await client().auth(request)), startedAt };
}

function scan(order: OrderResponse & { startedAt: number }): Promise<unknown> {
  return control('POST', '/sim/app/scan', { qr: qrData(order.qrStartToken, order.qrStartSecret, qrTime(order.startedAt, t().clock.now())) });
}

function hint(response: CollectResponse): string {
  return response.status === 'complete' ? 'complete' : `${response.status}/${response.hintCode}`;
}

test('QR: outstandingTransaction → scan → userSign → complete, then a second collect is invalidParameters', async () => {
  const api = client();
  const order = await startAuth({ ...AUTH, userVisibleData: 'Logga in på Brygga' });
  assert.equal(hint(await api.collect(order.orderRef)), 'pending/outstandingTransaction');
  await scan(order);
  assert.equal(hint(await api.collect(order.orderRef)), 'pending/userSign');
  await control('POST', `/sim/orders/${order.orderRef}/approve`, { personalNumber: PNR, givenName: 'Tolvan', surname: 'Tolvansson' });
  const done = await api.collect(order.orderRef);
  assert.ok(done.status === 'complete');
  assert.equal(done.completionData.user.personalNumber, PNR);
  assert.equal(done.completionData.user.givenName, 'Tolvan');
  assert.ok(done.completionData.signature.length > 100);
  await assert.rejects(api.collect(order.orderRef), InvalidParametersError);
});

test('same device: open → started → userSign → complete', async () => {
  const api = client();
  const order = await startAuth();
  await control('POST', '/sim/app/open', { autoStartToken: order.autoStartToken });
  assert.equal(hint(await api.collect(order.orderRef)), 'pending/started');
  assert.equal(hint(await api.collect(order.orderRef)), 'pending/userSign');
  await control('POST', `/sim/orders/${order.orderRef}/approve`, {});
  assert.equal(hint(await api.collect(order.orderRef)), 'complete');
});

test('MRTD: scan → userMrtd → complete with stepUp.mrtd', async () => {
  const api = client();
  const order = await startAuth({ ...AUTH, requirement: { mrtd: true } });
  await scan(order);
  assert.equal(hint(await api.collect(order.orderRef)), 'pending/userMrtd');
  await control('POST', `/sim/orders/${order.orderRef}/approve`, { mrtd: true });
  const done = await api.collect(order.orderRef);
  assert.ok(done.status === 'complete');
  assert.deepEqual(done.completionData.stepUp, { mrtd: true });
});

test('phone: outstandingTransaction → userCallConfirm → declined → userDeclinedCall', async () => {
  const api = client();
  const { orderRef } = await api.phoneAuth({ personalNumber: PNR, callInitiator: 'RP' });
  assert.equal(hint(await api.collect(orderRef)), 'pending/outstandingTransaction');
  assert.equal(hint(await api.collect(orderRef)), 'pending/userCallConfirm');
  await control('POST', `/sim/orders/${orderRef}/decline-call`);
  assert.equal(hint(await api.collect(orderRef)), 'failed/userDeclinedCall');
});

test('the user cancels in the app: userCancel', async () => {
  const api = client();
  const order = await startAuth();
  await scan(order);
  await control('POST', `/sim/orders/${order.orderRef}/cancel`);
  assert.equal(hint(await api.collect(order.orderRef)), 'failed/userCancel');
});

test('an order naming a person already busy: alreadyInProgress, and the first order ends cancelled', async () => {
  const api = client();
  const first = await api.auth({ ...AUTH, requirement: { personalNumber: PNR } });
  await assert.rejects(api.auth({ ...AUTH, requirement: { personalNumber: PNR } }), AlreadyInProgressError);
  assert.equal(hint(await api.collect(first.orderRef)), 'failed/cancelled');
});

test('cancel twice: the second is invalidParameters, as is a collect of the cancelled order', async () => {
  const api = client();
  const order = await api.auth(AUTH);
  await api.cancel(order.orderRef);
  await assert.rejects(api.cancel(order.orderRef), InvalidParametersError);
  await assert.rejects(api.collect(order.orderRef), InvalidParametersError);
});

test('timeouts on the simulator\'s clock: startFailed when nobody picks the order up, expiredTransaction when the user never finishes', async () => {
  const api = client();
  const unscanned = await startAuth();
  const scanned = await startAuth();
  await scan(scanned);
  // The simulator runs with startTimeoutS 30 and orderTtlS 180 (SIMULATOR_SETTINGS).
  t().clock.advance(30_000);
  assert.equal(hint(await api.collect(unscanned.orderRef)), 'failed/startFailed');
  assert.equal(hint(await api.collect(scanned.orderRef)), 'pending/userSign');
  t().clock.advance(150_000);
  assert.equal(hint(await api.collect(scanned.orderRef)), 'failed/expiredTransaction');
});

test('every error code injected as a fault maps to its error class', async () => {
  const api = client({ maintenanceRetries: 0 });
  for (const [status, errorCode, type] of ERROR_CASES) {
    await control('POST', '/sim/faults', { endpoint: 'auth', status, errorCode, times: 1 });
    await assert.rejects(api.auth(AUTH), (err: unknown) => err instanceof type && err.status === status && err.errorCode === errorCode);
  }
  const { faults } = await control('GET', '/sim/faults') as { faults: { hits: number }[] };
  assert.deepEqual(faults.map((f) => f.hits), ERROR_CASES.map(() => 1));
});

/** Counts the HTTP attempts the client made, from its own debug log. */
function attempts(log: ReturnType<typeof collectLog>, endpoint: string): unknown[] {
  return log.lines().filter((line) => line.endpoint === endpoint && line.msg === 'bankid call').map((line) => line.status);
}

test('maintenance is retried and then succeeds', async () => {
  await control('POST', '/sim/faults', { endpoint: 'auth', status: 503, errorCode: 'maintenance', times: 2 });
  const log = collectLog('debug');
  await client({ maintenanceRetries: 3, logger: log.logger }).auth(AUTH);
  assert.deepEqual(attempts(log, 'auth'), [503, 503, 200]);
});

test('maintenance that lasts is given up after maintenanceRetries retries', async () => {
  await control('POST', '/sim/faults', { endpoint: 'collect', status: 503, errorCode: 'maintenance', times: 10 });
  const log = collectLog('debug');
  await assert.rejects(client({ maintenanceRetries: 2, logger: log.logger }).collect('00000000-0000-4000-8000-000000000000'), MaintenanceError);
  assert.deepEqual(attempts(log, 'collect'), [503, 503, 503]);
});

test('internalError and requestTimeout are not retried', async () => {
  for (const [status, errorCode] of [[500, 'internalError'], [408, 'requestTimeout']] as const) {
    await control('POST', '/sim/faults', { endpoint: 'auth', status, errorCode, times: 5 });
    const log = collectLog('debug');
    await assert.rejects(client({ maintenanceRetries: 3, logger: log.logger }).auth(AUTH), (err: unknown) => err instanceof BankIdError && err.errorCode === errorCode);
    assert.deepEqual(attempts(log, 'auth'), [status]);
    await control('DELETE', '/sim/faults');
  }
});

/** A raw POST presenting `cert` (or none), to see the handshake itself refused. */
function rawAuth(cert?: { certPem: string; keyPem: string }): Promise<number> {
  const agent = new Agent({ ca: t().sim.caPem, cert: cert?.certPem, key: cert?.keyPem, keepAlive: false });
  return new Promise<number>((resolve, reject) => {
    const req = request(new URL('auth', t().sim.apiUrl), { method: 'POST', agent, headers: { 'Content-Type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end(JSON.stringify(AUTH));
  }).finally(() => agent.destroy());
}

test('a client without the RP certificate is refused in the TLS handshake', async () => {
  await assert.rejects(rawAuth(), (err: Error) => /certificate|ECONNRESET|socket hang up/i.test(`${err.message} ${(err as NodeJS.ErrnoException).code}`));
});

test('a client whose certificate comes from another CA is refused in the TLS handshake', async () => {
  const stranger = createRpCertificate(createCa('Not a BankID RP CA'));
  const api = client({ certificate: loadRpCertificate({ certPem: stranger.certPem, keyPem: stranger.keyPem }) });
  await assert.rejects(api.auth(AUTH), BankIdConnectionError);
});
