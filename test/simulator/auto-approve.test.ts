import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { createLogger } from '../../src/observability/logger.ts';
import { collect, startOrder, startTestSimulator, type TestSimulator } from './support.ts';

const logLines: string[] = [];
const logger = createLogger({ level: 'debug', format: 'json', destination: new Writable({ write(chunk, _encoding, done) { logLines.push(String(chunk)); done(); } }) });

let t: TestSimulator;
before(async () => { t = await startTestSimulator({ autoApproveMs: 150, now: Date.now, logger }); });
after(async () => { await t.close(); });

test('auto mode completes every order as the test person after autoApproveMs', async () => {
  const order = await startOrder(t.sim, 'auth');
  assert.equal((await collect(t.sim, order.orderRef)).json.status, 'pending');
  let reply = await collect(t.sim, order.orderRef);
  for (let i = 0; i < 30 && reply.json.status === 'pending'; i++) {
    await sleep(100);
    reply = await collect(t.sim, order.orderRef);
  }
  assert.equal(reply.json.status, 'complete');
  assert.equal(reply.json.completionData.user.personalNumber, '199908072391');
});

test('the sweep timer approves orders nobody touches', async () => {
  const order = await startOrder(t.sim, 'sign', { userVisibleData: 'eA==', requirement: { personalNumber: '191212121212' } });
  const finished = () => logLines.some((line) => line.includes(order.orderRef) && line.includes('"status":"complete"'));
  for (let i = 0; i < 30 && !finished(); i++) await sleep(100);
  assert.ok(finished(), 'completed without any call touching the order');
  const completion = (await collect(t.sim, order.orderRef)).json.completionData;
  assert.equal(completion.user.personalNumber, '191212121212', 'the required person approves');
});
