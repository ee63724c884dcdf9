import assert from 'node:assert/strict';
import { once, EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { createLogger } from '../../src/observability/logger.ts';
import { collect, startOrder, startTestSimulator, type TestSimulator } from './support.ts';

/** Every log line the simulator writes is also announced, so a test can wait for one without polling. */
const logLines: string[] = [];
const logged = new EventEmitter();
const logger = createLogger({ level: 'debug', format: 'json', destination: new Writable({ write(chunk, _encoding, done) { logLines.push(String(chunk)); logged.emit('line'); done(); } }) });

async function untilLogged(what: string, matches: (line: string) => boolean): Promise<void> {
  const deadline = AbortSignal.timeout(10_000);
  // One turn per line logged, and no turn after the deadline.
  while (!logLines.some(matches)) await once(logged, 'line', { signal: deadline }).catch(() => { throw new Error(`never logged: ${what}`); });
}

let t: TestSimulator;
before(async () => { t = await startTestSimulator({ autoApproveMs: 150, logger }); });
after(async () => { await t.close(); });

test('auto mode completes every order as the test person after autoApproveMs', async () => {
  const order = await startOrder(t.sim, 'auth');
  assert.equal((await collect(t.sim, order.orderRef)).json.status, 'pending');
  t.clock.advance(149);
  assert.equal((await collect(t.sim, order.orderRef)).json.status, 'pending');
  t.clock.advance(1);
  const reply = await collect(t.sim, order.orderRef);
  assert.equal(reply.json.status, 'complete');
  assert.equal(reply.json.completionData.user.personalNumber, '199908072391');
});

test('the sweep timer approves orders nobody touches', async () => {
  const order = await startOrder(t.sim, 'sign', { userVisibleData: 'eA==', requirement: { personalNumber: '191212121212' } });
  t.clock.advance(150);
  await untilLogged('the order completed', (line) => line.includes(order.orderRef) && line.includes('"status":"complete"'));
  const completion = (await collect(t.sim, order.orderRef)).json.completionData;
  assert.equal(completion.user.personalNumber, '191212121212', 'the required person approves');
});
