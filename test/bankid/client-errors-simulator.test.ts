/**
 * How a failed call is classified, over real mutual TLS against the simulator's faults: BankID's error codes,
 * transport problems, the caller's abort and our own request mistakes, each with isTransient's verdict; and a
 * caller's deadline bounding a slowed or retried call.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BankIdAbortedError, BankIdConnectionError, BankIdError, BankIdGatewayError, BankIdInternalError, BankIdRequestError,
  BankIdResponseTooLargeError, BankIdTimeoutError, BankIdTransportError, InvalidParametersError, MaintenanceError, UnauthorizedError,
} from '../../src/bankid/errors.ts';
import { isTransient } from '../../src/bankid/transient.ts';
import { MAX_RESPONSE_BYTES, closeAgents } from '../../src/bankid/transport.ts';
import type { BankIdClient, BankIdClientOptions } from '../../src/bankid/client.ts';
import { CLIENT_SETTINGS, collectLog } from './fixtures.ts';
import { useSimulator } from './simulator-suite.ts';

const { client, control, certificate } = useSimulator();
const UNKNOWN_ORDER = '00000000-0000-4000-8000-000000000000';
const AUTH = { endUserIp: '127.0.0.1' };

async function plan(fault: Record<string, unknown>): Promise<number> {
  return ((await control('POST', '/sim/faults', fault)) as { id: number }).id;
}

async function fault(id: number): Promise<{ hits: number; holding: number; written: number }> {
  const { faults } = await control('GET', '/sim/faults') as { faults: { id: number; hits: number; holding: number; written: number }[] };
  return faults.find((f) => f.id === id)!;
}

/** Polls the control API until `check` holds; bounded, no timers. */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) if (await check()) return;
  throw new Error(`gave up waiting for ${what}`);
}

interface Case {
  name: string;
  fault?: Record<string, unknown>;
  options?: Partial<BankIdClientOptions>;
  call: (api: BankIdClient) => Promise<unknown>;
  type: abstract new (...args: never[]) => Error;
  transient: boolean;
  /** Calls the client logged: a maintenance retry is a call of its own, a replay of a dropped connection is not. */
  attempts: number;
  /** The call goes on a new connection (none kept alive from an earlier call), or on one kept alive. */
  connection?: 'new' | 'kept-alive';
  /** Calls that reached the fault; left out where a timeout may fire before the call arrives. */
  hits?: number;
}

const cases: Case[] = [
  { name: '500 internalError', fault: { endpoint: 'auth', status: 500 }, call: (api) => api.auth(AUTH), type: BankIdInternalError, transient: true, attempts: 1, hits: 1 },
  {
    name: 'maintenance after its retries', fault: { endpoint: 'collect', status: 503, times: 10 }, call: (api) => api.collect(UNKNOWN_ORDER),
    type: MaintenanceError, transient: true, attempts: CLIENT_SETTINGS.maintenanceRetries + 1, hits: CLIENT_SETTINGS.maintenanceRetries + 1,
  },
  { name: '502 from a proxy, no body', fault: { endpoint: 'collect', kind: 'bare', status: 502 }, call: (api) => api.collect(UNKNOWN_ORDER), type: BankIdGatewayError, transient: true, attempts: 1, hits: 1 },
  {
    name: 'a start dropped on a new connection, never replayed', fault: { endpoint: 'auth', kind: 'drop', times: 2 }, connection: 'new',
    call: (api) => api.auth(AUTH), type: BankIdConnectionError, transient: true, attempts: 1, hits: 1,
  },
  {
    name: 'a start dropped on a kept-alive connection, sent once more on a new one', fault: { endpoint: 'auth', kind: 'drop', times: 2 }, connection: 'kept-alive',
    call: (api) => api.auth(AUTH), type: BankIdConnectionError, transient: true, attempts: 1, hits: 2,
  },
  {
    name: 'a dropped collect, replayed once', fault: { endpoint: 'collect', kind: 'drop', times: 2 }, connection: 'new',
    call: (api) => api.collect(UNKNOWN_ORDER), type: BankIdConnectionError, transient: true, attempts: 1, hits: 2,
  },
  {
    name: 'slower than timeoutMs, not replayed', fault: { endpoint: 'collect', delayMs: 60_000, times: 2 }, options: { timeoutMs: 200 },
    call: (api) => api.collect(UNKNOWN_ORDER), type: BankIdTimeoutError, transient: true, attempts: 1,
  },
  {
    name: 'an oversized answer', fault: { endpoint: 'collect', kind: 'oversized', bytes: 16 * MAX_RESPONSE_BYTES, times: 2 }, call: (api) => api.collect(UNKNOWN_ORDER),
    type: BankIdResponseTooLargeError, transient: true, attempts: 1, hits: 1,
  },
  { name: 'an unknown order: invalidParameters', call: (api) => api.collect(UNKNOWN_ORDER), type: InvalidParametersError, transient: false, attempts: 1 },
  { name: 'our own invalid request', call: (api) => api.auth({ endUserIp: 'not an address' }), type: BankIdRequestError, transient: false, attempts: 0 },
];

for (const c of cases) {
  test(`classified: ${c.name}`, async () => {
    const id = c.fault ? await plan(c.fault) : undefined;
    if (c.connection === 'new') closeAgents();
    // An unknown order's collect is answered (400) and leaves its connection in the pool.
    if (c.connection === 'kept-alive') await assert.rejects(client().collect(UNKNOWN_ORDER), InvalidParametersError);
    const log = collectLog('debug');
    await assert.rejects(c.call(client({ logger: log.logger, ...c.options })), (err: unknown) => {
      assert.ok(err instanceof c.type, `${c.name}: ${String(err)}`);
      // The four families never overlap.
      const families = [BankIdError, BankIdTransportError, BankIdAbortedError, BankIdRequestError].filter((family) => err instanceof family);
      assert.equal(families.length, 1, families.map((f) => f.name).join(', '));
      assert.equal(isTransient(err), c.transient);
      return true;
    });
    assert.equal(log.lines().filter((l) => l.msg === 'bankid call' || l.msg === 'bankid call failed').length, c.attempts);
    if (id !== undefined) {
      if (c.hits !== undefined) assert.equal((await fault(id)).hits, c.hits);
      await until('the simulator lets go of every call', async () => (await fault(id)).holding === 0);
    }
  });
}

test('classified: a certificate BankID no longer accepts is unauthorized, permanent', async () => {
  await control('POST', `/sim/rp-certificates/${certificate().fingerprint}`, { status: 'revoked' });
  await assert.rejects(client().auth(AUTH), (err: unknown) => {
    assert.ok(err instanceof UnauthorizedError, String(err));
    assert.deepEqual([err.status, err.errorCode, err.details], [401, 'unauthorized', 'The RP certificate is revoked']);
    assert.equal(isTransient(err), false);
    return true;
  });
});

test('nothing of our own invalid request reaches BankID', async () => {
  const before = (await control('GET', '/sim/orders')).orders.length;
  await assert.rejects(client().sign({ ...AUTH, userVisibleData: '' }), BankIdRequestError);
  assert.equal((await control('GET', '/sim/orders')).orders.length, before);
});

test('a deadline aborts a call the simulator holds: BankIdAbortedError, the connection closed, no replay', async () => {
  const id = await plan({ endpoint: 'collect', delayMs: 60_000, times: 2 });
  const controller = new AbortController();
  const call = client().collect(UNKNOWN_ORDER, { signal: controller.signal });
  await until('the collect is held', async () => (await fault(id)).holding === 1);
  controller.abort(new Error('lease over'));
  await assert.rejects(call, (err: unknown) => err instanceof BankIdAbortedError && (err.cause as Error).message === 'lease over');
  await until('the held call is let go', async () => (await fault(id)).holding === 0);
  assert.equal((await fault(id)).hits, 1);
});

test('a deadline ends the maintenance backoff: one attempt, then BankIdAbortedError', async () => {
  const id = await plan({ endpoint: 'collect', status: 503, times: 10 });
  const controller = new AbortController();
  // `sleep: undefined` restores the real sleep; its backoff is far longer than any lease, so only the abort ends it.
  const call = client({ sleep: undefined, retryDelayMs: () => 60_000 }).collect(UNKNOWN_ORDER, { signal: controller.signal });
  await until('the first attempt is answered', async () => (await fault(id)).hits === 1);
  controller.abort(new Error('lease over'));
  await assert.rejects(call, BankIdAbortedError);
  assert.equal((await fault(id)).hits, 1);
});

test('AbortSignal.timeout as the deadline: BankIdAbortedError with the TimeoutError as cause, not the client\'s own timeout', async () => {
  const id = await plan({ endpoint: 'collect', delayMs: 60_000 });
  await assert.rejects(client().collect(UNKNOWN_ORDER, { signal: AbortSignal.timeout(300) }), (err: unknown) => {
    assert.ok(err instanceof BankIdAbortedError && !(err instanceof BankIdTimeoutError), String(err));
    assert.equal((err.cause as Error).name, 'TimeoutError');
    return true;
  });
  await until('the held call is let go', async () => (await fault(id)).holding === 0);
});
