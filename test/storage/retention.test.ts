/** Personal data retention of BankID orders; time is moved by rewriting timestamps in SQL. */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, beforeEach, test } from 'node:test';
import { sql } from 'kysely';
import { createLogger } from '../../src/observability/logger.ts';
import { schedulePurge } from '../../src/storage/oidc-adapter.ts';
import { LoginRepository } from '../../src/storage/logins.ts';
import { OrderRepository, type OrderRow } from '../../src/storage/orders.ts';
import { RateLimitStore } from '../../src/storage/rate-limits.ts';
import { applyRetention } from '../../src/storage/retention.ts';
import { completionData } from '../helpers/completion.ts';
import { createTestDatabase } from '../helpers/database.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let orders: OrderRepository;
const statements: string[] = [];
before(async () => {
  database = await createTestDatabase({ onQuery: (s) => statements.push(s) });
  orders = new OrderRepository(database.db);
});
after(async () => { await database.close(); });
beforeEach(async () => {
  await database.db.deleteFrom('bankid_orders').execute();
  await sql`delete from rate_limits`.execute(database.db);
});

const HOUR = 3600;
const DAY = 24 * HOUR;
const policy = { orderDataS: HOUR, orderRecordS: 90 * DAY, ledgerMonths: 24 };

/** A payment order (the one kind with a transaction as well) as the flow leaves it, with its start, last poll and end moved `agoS` into the past. */
async function order(id: string, status: 'pending' | 'complete' | 'failed', agoS: number): Promise<void> {
  await orders.create({
    id, orderRef: `ref-${id}`, operation: 'payment', payment: { userVisibleTransaction: { transactionType: 'card', recipient: { name: 'Butiken' }, money: { amount: '10', currency: 'SEK' } } }, startMethod: 'same_device', rpCertificate: 'fingerprint', clientId: 'client',
    interactionId: `int-${id}`, browserBinding: 'binding', returnNonce: 'nonce', qrStartToken: 'qr-token', qrStartSecret: 'qr-secret', autoStartToken: 'auto', sentDataDigest: 'digest',
  });
  if (status === 'complete') await orders.update(id, { status, hintCode: null, completion: completionData() as unknown as Record<string, unknown>, subject: `sub-${id}`, pickedUp: true });
  if (status === 'failed') await orders.update(id, { status, hintCode: 'userCancel' });
  await sql`update bankid_orders set created_at = created_at - make_interval(secs => ${agoS}), last_seen_at = last_seen_at - make_interval(secs => ${agoS}),
    completed_at = completed_at - make_interval(secs => ${agoS}) where id = ${id}`.execute(database.db);
}

const row = (id: string): Promise<OrderRow | undefined> => database.db.selectFrom('bankid_orders').selectAll().where('id', '=', id).executeTakeFirst();

const personal = (r: OrderRow) => [r.completion, r.subject, r.browser_binding, r.qr_start_secret, r.auto_start_token, r.return_nonce, r.payment];

test('a completed order older than the retention loses its personal data and keeps what billing needs', async () => {
  await order('old', 'complete', HOUR + 60);
  await order('recent', 'complete', HOUR - 60);
  const before = (await row('old'))!;
  // A grant logged in with it: its tokens read the person from the order until the retention runs.
  const logins = new LoginRepository(database.db);
  await logins.attachSession('old', 'session-old');
  await logins.bindGrant('grant-old', 'session-old');
  assert.ok((await logins.orderForGrant('grant-old', 'sub-old'))?.completion, 'found for tokens before the retention ran');

  const result = await applyRetention(database.db, policy);
  assert.deepEqual(result, { closed: 0, stripped: 1, deleted: 0, folded: 0, rateLimits: 0, backlog: false });

  const old = (await row('old'))!;
  assert.deepEqual(personal(old), [null, null, null, null, null, null, null]);
  assert.ok(!JSON.stringify(old).includes('199908072391'), 'no personal number anywhere in the row');
  assert.ok(!JSON.stringify(old).includes('Tolvan'), 'no name anywhere in the row');
  const kept = ({ client_id, rp_certificate, operation, start_method, status, hint_code, error_code, order_ref, created_at, completed_at, picked_up_at }: OrderRow) =>
    ({ client_id, rp_certificate, operation, start_method, status, hint_code, error_code, order_ref, created_at, completed_at, picked_up_at });
  assert.deepEqual(kept(old), kept(before));
  assert.equal(old.status, 'complete');
  const forTokens = await logins.orderForGrant('grant-old', 'sub-old');
  assert.equal(forTokens?.orderRef, 'ref-old', 'the grant still knows its order');
  assert.equal(forTokens?.completion, null, 'no token can read the person any more');

  const recent = (await row('recent'))!;
  assert.equal(recent.subject, 'sub-recent');
  assert.equal((recent.completion as unknown as ReturnType<typeof completionData>).user.personalNumber, '199908072391');
  assert.equal(recent.browser_binding, 'binding');
  assert.equal((recent.payment as { userVisibleTransaction: { recipient: { name: string } } }).userVisibleTransaction.recipient.name, 'Butiken');
});

test('failed orders lose the browser binding and start secrets too', async () => {
  await order('failed', 'failed', HOUR + 60);
  await applyRetention(database.db, policy);
  const failed = (await row('failed'))!;
  assert.deepEqual(personal(failed), [null, null, null, null, null, null, null]);
  assert.equal(failed.hint_code, 'userCancel');
});

test('a pending order nobody has watched for an hour is closed and cleared; a live one is left alone', async () => {
  await order('stale', 'pending', HOUR + 60);
  await order('live', 'pending', 30);
  const result = await applyRetention(database.db, policy);
  assert.equal(result.closed, 1);
  const stale = (await row('stale'))!;
  assert.equal(stale.status, 'cancelled');
  assert.ok(stale.completed_at, 'ended now, so the record retention applies to it');
  assert.deepEqual(personal(stale), [null, null, null, null, null, null, null]);
  const ledger = await database.db.selectFrom('usage_ledger').select(['order_id', 'outcome', 'cancelled_by']).where('order_id', 'in', ['stale', 'live']).execute();
  assert.deepEqual(ledger, [{ order_id: 'stale', outcome: 'cancelled', cancelled_by: 'janitor' }], 'closing it wrote its ledger row');
  const live = (await row('live'))!;
  assert.equal(live.status, 'pending');
  assert.equal(live.qr_start_secret, 'qr-secret');
  assert.ok(live.payment, 'a live payment keeps its transaction');
});

test('finished orders are deleted after the record retention', async () => {
  await order('ancient', 'complete', 90 * DAY + 60);
  await order('kept', 'complete', 89 * DAY);
  const result = await applyRetention(database.db, policy);
  assert.equal(result.deleted, 1);
  assert.equal(await row('ancient'), undefined);
  assert.ok(await row('kept'));
});

test('work is done in bounded batches; the rest waits for the next run', async () => {
  await sql`insert into bankid_orders (id, order_ref, operation, start_method, rp_certificate, status, completion, subject, completed_at)
    select 'bulk-' || n, 'bulk-ref-' || n, 'auth', 'qr', 'fingerprint', 'complete', '{"user":{"personalNumber":"199908072391"}}'::jsonb, 'sub-' || n, now() - interval '2 hours'
    from generate_series(1, 1200) as n`.execute(database.db);
  const holding = async () => Number((await sql<{ n: string }>`select count(*) as n from bankid_orders where subject is not null`.execute(database.db)).rows[0]!.n);

  statements.length = 0;
  const first = await applyRetention(database.db, { ...policy, batchSize: 500, maxBatches: 2 });
  assert.equal(first.stripped, 1000);
  assert.equal(statements.filter((s) => /^update "bankid_orders" set "completion"/.test(s)).length, 2, 'two statements of at most 500 rows');
  assert.equal(first.backlog, true);
  assert.equal(await holding(), 200);
  const second = await applyRetention(database.db, { ...policy, batchSize: 500, maxBatches: 2 });
  assert.equal(second.stripped, 200);
  assert.equal(second.backlog, false);
  assert.equal(await holding(), 0);
});

test('ended rate-limit windows are purged with it (their keys hold client addresses)', async () => {
  const store = new RateLimitStore(database.db);
  await store.hit([{ key: 'start:ip:127.0.0.1', windowS: 60, max: 10 }, { key: 'start:ip:127.0.0.2', windowS: 60, max: 10 }]);
  await sql`update rate_limits set expires_at = now() - interval '1 second' where key = 'start:ip:127.0.0.1'`.execute(database.db);
  assert.equal((await applyRetention(database.db, policy)).rateLimits, 1);
  const left = await sql<{ key: string }>`select key from rate_limits`.execute(database.db);
  assert.deepEqual(left.rows.map((r) => r.key), ['start:ip:127.0.0.2']);
});

test('the purge job runs the retention after purging OIDC entities', async () => {
  await order('scheduled', 'complete', HOUR + 60);
  const destination = new Writable({ write(_chunk, _enc, cb) { cb(); } });
  let runs = 0;
  const stop = schedulePurge(database.db, 5, createLogger({ level: 'warn', format: 'json', destination }), async () => {
    await applyRetention(database.db, policy);
    runs++;
  });
  try {
    for (let i = 0; i < 200 && runs === 0; i++) await new Promise((r) => setTimeout(r, 10));
  } finally {
    stop();
  }
  assert.ok(runs > 0, 'the retention ran');
  assert.equal((await row('scheduled'))!.subject, null);
});
