/**
 * The memory of recent order-page renders (src/orders/recent-renders.ts) at its edges that a login over HTTP does
 * not reach on demand: a mark only within a request, a notification the bounded record had to forget, and the
 * listener's reconnect. test/interaction/stream-after-page.test.ts covers it end to end.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecentRenders } from '../../src/orders/recent-renders.ts';
import type { PolledOrder } from '../../src/storage/orders.ts';
import { withRequestScope } from '../../src/storage/request-scope.ts';

const DB_NOW = new Date('2026-11-26T12:00:00Z');
const rowOf = (id: string) => ({ id, db_now: DB_NOW }) as PolledOrder;

/** A render as the order page does it: the mark before its statement, then what the statement returned. */
function rendered(renders: RecentRenders, interactionId: string, orderId: string, during?: () => void): void {
  renders.markRequest(interactionId);
  during?.(); // what happens while the statement runs
  renders.remember(interactionId, rowOf(orderId), renders.requestMark(interactionId)!);
}

test('a render is used once, while fresh, with the database clock moved on by the time since', async () => {
  let now = 1000;
  const renders = new RecentRenders({ now: () => now });
  await withRequestScope(async () => rendered(renders, 'i1', 'o1'));
  now += 1500;
  assert.deepEqual(renders.take('i1'), { row: rowOf('o1'), dbNow: new Date(DB_NOW.getTime() + 1500) });
  assert.equal(renders.take('i1'), undefined, 'once');
  await withRequestScope(async () => rendered(renders, 'i2', 'o2'));
  now += 3001;
  assert.equal(renders.take('i2'), undefined, 'too old');
});

test('outside a request, or in another request than the mark, there is no mark', async () => {
  const renders = new RecentRenders();
  renders.markRequest('i1');
  assert.equal(renders.requestMark('i1'), undefined);
  await withRequestScope(async () => renders.markRequest('i1'));
  await withRequestScope(async () => assert.equal(renders.requestMark('i1'), undefined));
});

test('a notification while the render\'s statement runs, or after it, makes the render unusable; one before it does not', async () => {
  const renders = new RecentRenders();
  renders.changed('o1');
  await withRequestScope(async () => rendered(renders, 'i1', 'o1'));
  assert.equal(renders.take('i1')?.row.id, 'o1', 'notified before the mark');
  await withRequestScope(async () => rendered(renders, 'i1', 'o1', () => renders.changed('o1')));
  assert.equal(renders.take('i1'), undefined, 'notified during the statement');
  await withRequestScope(async () => rendered(renders, 'i1', 'o1', () => {
    renders.changed('o1');
    renders.markRequest('i1'); // a second mark in the request does not move the first
  }));
  assert.equal(renders.take('i1'), undefined, 'notified after the first mark');
  await withRequestScope(async () => rendered(renders, 'i1', 'o1'));
  renders.changed('o2');
  assert.equal(renders.take('i1')?.row.id, 'o1', 'another order\'s notification');
  await withRequestScope(async () => rendered(renders, 'i1', 'o1'));
  renders.changed('o1');
  assert.equal(renders.take('i1'), undefined, 'notified after the statement');
});

test('a notification the bounded record forgot still counts against renders marked before it', async () => {
  const renders = new RecentRenders({ max: 2 });
  await withRequestScope(async () => rendered(renders, 'i1', 'o1', () => renders.changed('o1')));
  renders.changed('o2');
  renders.changed('o3'); // o1's notification makes room
  assert.equal(renders.take('i1'), undefined);
  await withRequestScope(async () => rendered(renders, 'i2', 'o2'));
  assert.equal(renders.take('i2')?.row.id, 'o2', 'a render marked after it is used');
});

test('after the listener reconnected, nothing remembered or marked before is used', async () => {
  const renders = new RecentRenders();
  await withRequestScope(async () => rendered(renders, 'i1', 'o1'));
  renders.resync();
  assert.equal(renders.take('i1'), undefined, 'remembered before');
  await withRequestScope(async () => rendered(renders, 'i2', 'o2', () => renders.resync()));
  assert.equal(renders.take('i2'), undefined, 'marked before, remembered after');
  await withRequestScope(async () => rendered(renders, 'i3', 'o3'));
  assert.equal(renders.take('i3')?.row.id, 'o3', 'marked after');
});
