import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { collect, control, rpCall, startOrder, startTestSimulator, type TestSimulator } from './support.ts';

let t: TestSimulator;
before(async () => { t = await startTestSimulator(); });
beforeEach(async () => { assert.equal((await control(t.sim, 'DELETE', '/sim/faults')).status, 200); });
after(async () => { await t.close(); });

const auth = () => rpCall(t.sim, 'auth', { endUserIp: '127.0.0.1' });

test('a fault answers the next `times` calls to its endpoint with its status and errorCode, then stops', async () => {
  const planned = await control(t.sim, 'POST', '/sim/faults', { endpoint: 'auth', status: 503, errorCode: 'maintenance', details: 'Planned work', times: 2 });
  assert.equal(planned.status, 200);
  const order = await startOrder(t.sim, 'sign', { userVisibleData: 'eA==' });
  assert.equal((await collect(t.sim, order.orderRef)).status, 200, 'other endpoints are not affected');
  for (let i = 0; i < 2; i++) {
    const reply = await auth();
    assert.equal(reply.status, 503);
    assert.deepEqual(reply.json, { errorCode: 'maintenance', details: 'Planned work' });
  }
  assert.equal((await auth()).status, 200);
});

test('"*" hits every endpoint; the errorCode defaults from the status', async () => {
  await control(t.sim, 'POST', '/sim/faults', { endpoint: '*', status: 500, times: 1 });
  const reply = await collect(t.sim, 'whatever');
  assert.equal(reply.status, 500);
  assert.equal(reply.json.errorCode, 'internalError');
  assert.equal((await collect(t.sim, 'whatever')).json.details, 'No such order');
});

test('a delay-only fault slows the call down and then answers normally', async () => {
  const order = await startOrder(t.sim, 'auth');
  await control(t.sim, 'POST', '/sim/faults', { endpoint: 'collect', delayMs: 300 });
  const started = performance.now();
  const slow = await collect(t.sim, order.orderRef);
  assert.ok(performance.now() - started >= 290, 'delayed');
  assert.equal(slow.json.hintCode, 'outstandingTransaction');
  const quick = performance.now();
  await collect(t.sim, order.orderRef);
  assert.ok(performance.now() - quick < 250, 'only once');
});

test('delay and status together: requestTimeout after the delay', async () => {
  await control(t.sim, 'POST', '/sim/faults', { endpoint: 'cancel', status: 408, delayMs: 100 });
  const reply = await rpCall(t.sim, 'cancel', { orderRef: 'x' });
  assert.equal(reply.status, 408);
  assert.equal(reply.json.errorCode, 'requestTimeout');
});

test('DELETE /sim/faults clears planned faults', async () => {
  await control(t.sim, 'POST', '/sim/faults', { endpoint: 'auth', status: 503, times: 5 });
  await control(t.sim, 'DELETE', '/sim/faults');
  assert.equal((await auth()).status, 200);
});

test('bad faults are refused', async () => {
  for (const body of [{ endpoint: 'login', status: 503 }, { endpoint: 'auth' }, { endpoint: 'auth', status: 200 }, { endpoint: 'auth', status: 503, times: 0 }]) {
    const reply = await control(t.sim, 'POST', '/sim/faults', body);
    assert.equal(reply.status, 400, JSON.stringify(body));
    assert.equal(typeof reply.json.error, 'string');
  }
});
