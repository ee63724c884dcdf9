/**
 * A poll only marks an order seen: the update must stay in its heap page (HOT) and write no index entry, else every
 * page render and stream opening of every waiting person writes a row version into each of the table's indexes.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { OrderRepository } from '../../src/storage/orders.ts';
import { createTestDatabase } from '../helpers/database.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
before(async () => { database = await createTestDatabase(); });
after(async () => { await database?.close(); });

test('a poll of an order (seen, back from its beacon, a page render) is a heap-only update', async () => {
  const interactionId = randomUUID();
  await new OrderRepository(database.db).create({ id: randomUUID(), orderRef: randomUUID(), operation: 'auth', startMethod: 'qr', rpCertificate: 'fp', clientId: 'c', interactionId, browserBinding: 'b', sentDataDigest: 'd' });
  for (const render of [false, true]) {
    const counts = await database.db.transaction().execute(async (trx) => {
      // This backend's counts not yet flushed to the shared statistics: the difference is this poll's.
      const read = async () => (await sql<{ upd: number; hot: number }>`
        select n_tup_upd::int as upd, n_tup_hot_upd::int as hot from pg_stat_xact_user_tables where relname = 'bankid_orders'`.execute(trx)).rows[0]!;
      const before = await read();
      assert.ok(await new OrderRepository(trx).poll(interactionId, render), 'the order was polled');
      const after = await read();
      return { updates: after.upd - before.upd, heapOnly: after.hot - before.hot };
    });
    assert.deepEqual(counts, { updates: 1, heapOnly: 1 }, render ? 'render' : 'poll');
  }
});
