import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { after, before, beforeEach, test } from 'node:test';
import { collect, control, fault, planFault, rpCall, startOrder, startTestSimulator, until, type TestSimulator } from './support.ts';

let t: TestSimulator;
before(async () => { t = await startTestSimulator(); });
beforeEach(async () => { assert.equal((await control(t.sim, 'DELETE', '/sim/faults')).status, 200); });
after(async () => { await t.close(); });

const auth = () => rpCall(t.sim, 'auth', { endUserIp: '127.0.0.1' });

test('a fault answers the next `times` calls to its endpoint with its status and errorCode, then stops', async () => {
  const id = await planFault(t.sim, { endpoint: 'auth', status: 503, errorCode: 'maintenance', details: 'Planned work', times: 2 });
  const order = await startOrder(t.sim, 'sign', { userVisibleData: 'eA==' });
  assert.equal((await collect(t.sim, order.orderRef)).status, 200, 'other endpoints are not affected');
  assert.equal((await fault(t.sim, id)).hits, 0);
  for (let i = 0; i < 2; i++) {
    const reply = await auth();
    assert.equal(reply.status, 503);
    assert.deepEqual(reply.json, { errorCode: 'maintenance', details: 'Planned work' });
  }
  assert.equal((await auth()).status, 200);
  assert.deepEqual(await fault(t.sim, id), {
    id, endpoint: 'auth', kind: 'error', status: 503, errorCode: 'maintenance', details: 'Planned work', times: 2, delayMs: 0, hits: 2, holding: 0, written: 0,
  });
});

test('"*" hits every endpoint; the errorCode defaults from the status', async () => {
  const id = await planFault(t.sim, { endpoint: '*', status: 500, times: 1 });
  const reply = await collect(t.sim, 'whatever');
  assert.equal(reply.status, 500);
  assert.deepEqual(reply.json, { errorCode: 'internalError', details: 'Injected internalError' });
  assert.equal((await collect(t.sim, 'whatever')).json.details, 'No such order');
  assert.equal((await fault(t.sim, id)).hits, 1);
});

test('a delay-only fault holds the call, then answers it normally, once', async () => {
  const order = await startOrder(t.sim, 'auth');
  const id = await planFault(t.sim, { endpoint: 'collect', delayMs: 150 });
  const slow = await collect(t.sim, order.orderRef);
  assert.deepEqual(slow.json, { orderRef: order.orderRef, status: 'pending', hintCode: 'outstandingTransaction' });
  assert.equal((await collect(t.sim, order.orderRef)).status, 200);
  const spent = await fault(t.sim, id);
  assert.deepEqual([spent.kind, spent.delayMs, spent.hits, spent.holding], ['delay', 150, 1, 0]);
});

test('clearing the faults lets a held call go on normally', async () => {
  const order = await startOrder(t.sim, 'auth');
  const id = await planFault(t.sim, { endpoint: 'collect', status: 500, delayMs: 60_000 });
  const held = collect(t.sim, order.orderRef);
  await until('the collect is held', async () => (await fault(t.sim, id)).holding === 1);
  assert.equal((await fault(t.sim, id)).hits, 1);
  await control(t.sim, 'DELETE', '/sim/faults');
  assert.deepEqual((await held).json, { orderRef: order.orderRef, status: 'pending', hintCode: 'outstandingTransaction' });
});

test('a delayed call whose client goes away is let go', async () => {
  const id = await planFault(t.sim, { endpoint: 'collect', delayMs: 60_000 });
  const controller = new AbortController();
  const call = fetchCollect(controller.signal);
  await until('the collect is held', async () => (await fault(t.sim, id)).holding === 1);
  controller.abort();
  await assert.rejects(call);
  await until('the hold ends with the connection', async () => (await fault(t.sim, id)).holding === 0);
});

/** A collect through a raw https request that the test can abort. */
function fetchCollect(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(new URL('collect', t.sim.apiUrl), {
      method: 'POST', ca: t.sim.caPem, pfx: readFileSync(t.sim.rpP12File), passphrase: t.sim.rpP12Passphrase, agent: false, signal,
      headers: { 'content-type': 'application/json' },
    }, (res) => { res.resume(); res.on('end', resolve); });
    req.on('error', reject);
    req.end(JSON.stringify({ orderRef: 'x' }));
  });
}

test('delay and status together: requestTimeout after the delay', async () => {
  const id = await planFault(t.sim, { endpoint: 'cancel', status: 408, delayMs: 100 });
  const reply = await rpCall(t.sim, 'cancel', { orderRef: 'x' });
  assert.equal(reply.status, 408);
  assert.equal(reply.json.errorCode, 'requestTimeout');
  const spent = await fault(t.sim, id);
  assert.deepEqual([spent.kind, spent.delayMs, spent.hits], ['error', 100, 1]);
});

test('drop closes the connection without an answer', async () => {
  const id = await planFault(t.sim, { endpoint: 'auth', kind: 'drop' });
  await assert.rejects(auth(), (error: NodeJS.ErrnoException) => {
    assert.match(`${error.code} ${error.message}`, /ECONNRESET|socket hang up/);
    return true;
  });
  assert.equal((await fault(t.sim, id)).hits, 1);
  assert.equal((await auth()).status, 200);
});

test('bare answers with a status and no body, as a proxy does', async () => {
  const id = await planFault(t.sim, { endpoint: 'collect', kind: 'bare', status: 502 });
  const reply = await collect(t.sim, 'x');
  assert.equal(reply.status, 502);
  assert.equal(reply.text, '');
  assert.equal((await fault(t.sim, id)).hits, 1);
});

test('oversized streams a 200 body of the given size without a length', async () => {
  const id = await planFault(t.sim, { endpoint: 'collect', kind: 'oversized', bytes: 200_000 });
  const reply = await collect(t.sim, 'x');
  assert.equal(reply.status, 200);
  assert.equal(reply.headers['content-length'], undefined);
  assert.equal(reply.headers['transfer-encoding'], 'chunked');
  assert.equal(reply.text.length, 200_000);
  const spent = await fault(t.sim, id);
  assert.deepEqual([spent.hits, spent.written], [1, 200_000]);
});

test('DELETE /sim/faults clears planned faults', async () => {
  await planFault(t.sim, { endpoint: 'auth', status: 503, times: 5 });
  assert.equal((await control(t.sim, 'DELETE', '/sim/faults')).status, 200);
  assert.deepEqual((await control(t.sim, 'GET', '/sim/faults')).json, { faults: [] });
  assert.equal((await auth()).status, 200);
});

test('bad faults are refused', async () => {
  const bodies = [
    { endpoint: 'login', status: 503 }, { endpoint: 'auth' }, { endpoint: 'auth', status: 200 }, { endpoint: 'auth', status: 503, times: 0 },
    { endpoint: 'auth', kind: 'bare' }, { endpoint: 'auth', kind: 'oversized' }, { endpoint: 'auth', kind: 'explode' },
    { endpoint: 'auth', kind: 'oversized', bytes: 128 * 1024 * 1024 },
  ];
  for (const body of bodies) {
    const reply = await control(t.sim, 'POST', '/sim/faults', body);
    assert.equal(reply.status, 400, JSON.stringify(body));
    assert.equal(typeof reply.json.error, 'string');
  }
  assert.deepEqual((await control(t.sim, 'GET', '/sim/faults')).json, { faults: [] });
});
