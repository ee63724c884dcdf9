/**
 * The client over real mutual TLS against Brygga's BankID simulator: every hint-code path driven through
 * the control API, every error code injected as a fault, and the simulator refusing strangers.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { loadRpCertificate, loadRpCertificateFiles, type RpCertificate } from '../../src/bankid/certificate.ts';
import { BankIdClient, type BankIdClientOptions } from '../../src/bankid/client.ts';
import {
  AlreadyInProgressError, BankIdError, BankIdTimeoutError, BankIdTransportError, InvalidParametersError, MaintenanceError,
} from '../../src/bankid/errors.ts';
import { qrData, qrTime } from '../../src/bankid/qr.ts';
import { closeAgents } from '../../src/bankid/transport.ts';
import type { AuthRequest, CollectResponse, OrderResponse } from '../../src/bankid/types.ts';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.ts';
import { collectLog, createCa, createRpCertificate, ERROR_CASES } from './fixtures.ts';

const PNR = '199908072391';
const AUTH: AuthRequest = { endUserIp: '127.0.0.1' };

const dir = mkdtempSync(join(tmpdir(), 'brygga-sim-client-'));
let sim: RunningSimulator;
let certificate: RpCertificate;
let caPem: string;

before(async () => {
  sim = await startSimulator({ host: '127.0.0.1', port: 0, controlPort: 0, certsDir: join(dir, 'main') });
  certificate = loadRpCertificateFiles({ certFile: sim.rpP12File, passphrase: sim.rpP12Passphrase });
  caPem = readFileSync(sim.caFile, 'utf8');
});
afterEach(async () => {
  await control('DELETE', '/sim/faults');
});
after(async () => {
  closeAgents();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

function client(options: Partial<BankIdClientOptions> = {}, on: RunningSimulator = sim): BankIdClient {
  return new BankIdClient({ baseUrl: on.apiUrl, certificate, caPem, retryDelayMs: () => 1, ...options });
}

async function control(method: string, path: string, body?: unknown, on: RunningSimulator = sim): Promise<unknown> {
  const response = await fetch(new URL(path, on.controlUrl), {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Starts an order and remembers when, as the RP must for the QR time. */
async function startAuth(api: BankIdClient, request: AuthRequest = AUTH): Promise<OrderResponse & { startedAt: number }> {
  const startedAt = Date.now();
  return { ...(await api.auth(request)), startedAt };
}

function scan(order: OrderResponse & { startedAt: number }, on: RunningSimulator = sim): Promise<unknown> {
  return control('POST', '/sim/app/scan', { qr: qrData(order.qrStartToken, order.qrStartSecret, qrTime(order.startedAt)) }, on);
}

function hint(response: CollectResponse): string {
  return response.status === 'complete' ? 'complete' : `${response.status}/${response.hintCode}`;
}

test('QR: outstandingTransaction → scan → userSign → complete, then a second collect is invalidParameters', async () => {
  const api = client();
  const order = await startAuth(api, { ...AUTH, userVisibleData: 'Logga in på Brygga' });
  assert.equal(hint(await api.collect(order.orderRef)), 'pending/outstandingTransaction');
  await scan(order);
  assert.equal(hint(await api.collect(order.orderRef)), 'pending/userSign');
  await control('POST', `/sim/orders/${order.orderRef}/approve`, { personalNumber: PNR, givenName: 'Tolvan', surname: 'Tolvansson' });
  const done = await api.collect(order.orderRef);
  assert.equal(done.status, 'complete');
  assert.equal(done.status === 'complete' && done.completionData.user.personalNumber, PNR);
  assert.equal(done.status === 'complete' && done.completionData.user.givenName, 'Tolvan');
  assert.ok(done.status === 'complete' && done.completionData.signature.length > 100);
  await assert.rejects(api.collect(order.orderRef), InvalidParametersError);
});

test('same device: open → started → userSign → complete', async () => {
  const api = client();
  const order = await startAuth(api);
  await control('POST', '/sim/app/open', { autoStartToken: order.autoStartToken });
  assert.equal(hint(await api.collect(order.orderRef)), 'pending/started');
  assert.equal(hint(await api.collect(order.orderRef)), 'pending/userSign');
  await control('POST', `/sim/orders/${order.orderRef}/approve`, {});
  assert.equal(hint(await api.collect(order.orderRef)), 'complete');
});

test('MRTD: scan → userMrtd → complete with stepUp.mrtd', async () => {
  const api = client();
  const order = await startAuth(api, { ...AUTH, requirement: { mrtd: true } });
  await scan(order);
  assert.equal(hint(await api.collect(order.orderRef)), 'pending/userMrtd');
  await control('POST', `/sim/orders/${order.orderRef}/approve`, { mrtd: true });
  const done = await api.collect(order.orderRef);
  assert.deepEqual(done.status === 'complete' && done.completionData.stepUp, { mrtd: true });
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
  const order = await startAuth(api);
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

test('timeouts: startFailed when nobody picks the order up, expiredTransaction when the user never finishes', async () => {
  const quick = await startSimulator({ host: '127.0.0.1', port: 0, controlPort: 0, certsDir: join(dir, 'quick'), startTimeoutS: 1, orderTtlS: 2 });
  try {
    const quickCertificate = loadRpCertificateFiles({ certFile: quick.rpP12File, passphrase: quick.rpP12Passphrase });
    const api = new BankIdClient({ baseUrl: quick.apiUrl, certificate: quickCertificate, caPem: readFileSync(quick.caFile, 'utf8') });
    const unscanned = await startAuth(api);
    const scanned = await startAuth(api);
    await scan(scanned, quick);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    assert.equal(hint(await api.collect(unscanned.orderRef)), 'failed/startFailed');
    assert.equal(hint(await api.collect(scanned.orderRef)), 'failed/expiredTransaction');
  } finally {
    await quick.close();
  }
});

test('every error code injected as a fault maps to its error class', async () => {
  const api = client({ maintenanceRetries: 0 });
  for (const [status, errorCode, type] of ERROR_CASES) {
    await control('POST', '/sim/faults', { endpoint: 'auth', status, errorCode, times: 1 });
    await assert.rejects(api.auth(AUTH), (err: unknown) => err instanceof type && err.status === status && err.errorCode === errorCode);
  }
});

/** Counts the HTTP attempts the client made, from its own debug log. */
function attempts(log: ReturnType<typeof collectLog>, endpoint: string): (number | undefined)[] {
  return log.lines().filter((line) => line.endpoint === endpoint && line.msg === 'bankid call').map((line) => line.status as number);
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

test('an answer slower than timeoutMs is a BankIdTimeoutError', async () => {
  const api = client({ timeoutMs: 200 });
  const order = await api.auth(AUTH);
  await control('POST', '/sim/faults', { endpoint: 'collect', delayMs: 600, times: 1 });
  await assert.rejects(api.collect(order.orderRef), BankIdTimeoutError);
  assert.equal(hint(await api.collect(order.orderRef)), 'pending/outstandingTransaction');
});

/** A raw POST presenting `cert` (or none), to see the handshake itself refused. */
function rawAuth(cert?: { certPem: string; keyPem: string }): Promise<number> {
  const agent = new Agent({ ca: caPem, cert: cert?.certPem, key: cert?.keyPem, keepAlive: false });
  return new Promise<number>((resolve, reject) => {
    const req = request(new URL('auth', sim.apiUrl), { method: 'POST', agent, headers: { 'Content-Type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
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
  await assert.rejects(api.auth(AUTH), (err: unknown) => err instanceof BankIdTransportError && !(err instanceof BankIdTimeoutError));
});
