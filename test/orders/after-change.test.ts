/** A notified change applied to what a page shows, without the order's row; and the notification's payload read. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { afterChange, type WatchedOrder } from '../../src/orders/flow.ts';
import { qrSource } from '../../src/orders/qr-source.ts';
import { parseOrderChange } from '../../src/storage/notifications.ts';

const now = new Date();
const qr = qrSource('67df3917-fa0d-44e5-b327-edcc928297f8', 'd28db9a7-4cde-429e-a983-359be676944c', now, now);
const showingQr: WatchedOrder = { state: { state: 'pending', orderId: 'o1', startMethod: 'qr', hintCode: 'outstandingTransaction', qr: 'bankid.x.0.y' }, qr };
const to = (status: string, hintCode: string | null = null, errorCode: string | null = null) => ({ status, hintCode, errorCode });

test('the app picked the order up: the new hint, and no QR any more', () => {
  assert.deepEqual(afterChange(showingQr, to('pending', 'userSign')), { state: { state: 'pending', orderId: 'o1', startMethod: 'qr', hintCode: 'userSign' } });
});

test('complete, failed and cancelled read as the row would', () => {
  assert.deepEqual(afterChange(showingQr, to('complete', null)), { state: { state: 'complete', orderId: 'o1', startMethod: 'qr' } });
  assert.deepEqual(afterChange(showingQr, to('failed', 'expiredTransaction', 'transport')),
    { state: { state: 'failed', orderId: 'o1', startMethod: 'qr', hintCode: 'expiredTransaction', errorCode: 'transport' } });
  assert.deepEqual(afterChange(showingQr, to('cancelled', 'outstandingTransaction')), { state: { state: 'failed', orderId: 'o1', startMethod: 'qr', hintCode: 'cancelled' } });
});

test('a QR to show keeps drawing from what the watcher holds; without it, or for an unknown status, the row is needed', () => {
  const again = afterChange(showingQr, to('pending', 'outstandingTransaction'));
  assert.equal(again?.qr, qr);
  assert.match(String(again?.state.state === 'pending' && again.state.qr), /^bankid\.67df3917-fa0d-44e5-b327-edcc928297f8\.\d+\.[0-9a-f]{64}$/);
  const pickedUp: WatchedOrder = { state: { state: 'pending', orderId: 'o1', startMethod: 'qr', hintCode: 'userSign' } };
  assert.equal(afterChange(pickedUp, to('pending', 'outstandingTransaction')), undefined);
  assert.equal(afterChange(showingQr, to('archived')), undefined);
});

test('the payload: the JSON of migration 0023, the bare id of before, and nothing readable', () => {
  assert.deepEqual(parseOrderChange('{"id" : "o1", "status" : "failed", "hint" : "startFailed", "error" : null}'),
    { orderId: 'o1', to: { status: 'failed', hintCode: 'startFailed', errorCode: null } });
  assert.deepEqual(parseOrderChange('o1'), { orderId: 'o1' });
  assert.equal(parseOrderChange('{"status":"pending"}'), undefined);
  assert.equal(parseOrderChange('{not json'), undefined);
});
