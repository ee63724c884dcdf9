/** A caller's signal bounds a whole call: an abort rejects with BankIdAbortedError and nothing more is sent. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BankIdAbortedError, BankIdTransportError } from '../../src/bankid/errors.ts';
import { isTransient } from '../../src/bankid/transient.ts';
import { useFakeBankId } from './fake-suite.ts';

const { client, fake } = useFakeBankId();
const ORDER_REF = '131daac9-16c6-4618-beb0-365768f37288';
const MAINTENANCE = { status: 503, body: { errorCode: 'maintenance', details: '' } };

function isAborted(reason: Error) {
  return (err: unknown) => {
    assert.ok(err instanceof BankIdAbortedError, String(err));
    assert.ok(!(err instanceof BankIdTransportError), 'an abort is not a transport problem');
    assert.equal(err.cause, reason);
    assert.equal(isTransient(err), true, 'the order is untouched: the next tick may collect again');
    return true;
  };
}

test('an abort while BankID has not answered rejects, closes the connection and is not replayed', async () => {
  const controller = new AbortController();
  const reason = new Error('lease over');
  // Aborted the moment BankID has the request: the request is certainly sent, the answer certainly not.
  fake().reply = () => { controller.abort(reason); return { hold: true }; };
  await assert.rejects(client().collect(ORDER_REF, { signal: controller.signal }), isAborted(reason));
  assert.equal(fake().seen.length, 1);
  await fake().idle();
  assert.equal(fake().open(), 0);
});

test('an abort during the maintenance backoff stops the retries', async () => {
  fake().reply = () => MAINTENANCE;
  const controller = new AbortController();
  const reason = new Error('lease over');
  const waits: number[] = [];
  const api = client({
    maintenanceRetries: 5,
    sleep: (ms, signal) => new Promise((_, reject) => {
      waits.push(ms);
      signal!.addEventListener('abort', () => reject(signal!.reason), { once: true });
      controller.abort(reason);
    }),
  });
  await assert.rejects(api.collect(ORDER_REF, { signal: controller.signal }), isAborted(reason));
  assert.deepEqual(waits, [1000]);
  assert.equal(fake().seen.length, 1);
});

test('an abort between the answer and the next retry sends nothing more', async () => {
  const controller = new AbortController();
  const reason = new Error('lease over');
  fake().reply = () => MAINTENANCE;
  // The backoff itself takes no time; the abort lands as the first answer arrives.
  const api = client({ maintenanceRetries: 5, sleep: async () => { controller.abort(reason); } });
  await assert.rejects(api.auth({ endUserIp: '192.0.2.10' }, { signal: controller.signal }), isAborted(reason));
  assert.equal(fake().seen.length, 1);
});

test('a signal aborted beforehand sends nothing', async () => {
  const reason = new Error('too late');
  await assert.rejects(client().cancel(ORDER_REF, { signal: AbortSignal.abort(reason) }), isAborted(reason));
  assert.equal(fake().seen.length, 0);
});
