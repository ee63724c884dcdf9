/**
 * The statements that look for pending orders (the collector's claim, the janitor's search, the metrics count) run
 * with a prepared statement's generic plan once warm: `status = 'pending'` is written out, so that plan can use the
 * partial indexes of pending orders. With the status as a parameter PostgreSQL planned every run anew (issue 7).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { openDatabase, type DatabaseHandle } from '../../src/storage/database.ts';
import { OrderRepository } from '../../src/storage/orders.ts';
import { createTestDatabase } from '../helpers/database.ts';

const skip = process.env.DATABASE_URL ? false : 'needs a PostgreSQL server (DATABASE_URL): the embedded engine prepares no statements';

let backing: DatabaseHandle & { url?: string };
let db: DatabaseHandle;

before(async () => {
  if (skip) return;
  backing = await createTestDatabase();
  // One connection: what it prepared is what pg_prepared_statements shows.
  db = await openDatabase({ url: backing.url!, dataDir: 'unused', poolSize: 1 });
});
after(async () => {
  await db?.close();
  await backing?.close();
});

test('the searches for pending orders are planned once, not on every run', { skip }, async () => {
  const orders = new OrderRepository(db.db);
  for (let i = 0; i < 3; i++) {
    await orders.create({ id: randomUUID(), orderRef: randomUUID(), operation: 'auth', startMethod: 'qr', rpCertificate: 'fp', clientId: 'c', interactionId: randomUUID(), browserBinding: 'b', sentDataDigest: 'd' });
  }
  // PostgreSQL makes a plan for the values of each of a prepared statement's first five runs, then keeps the
  // generic plan if it is no dearer.
  for (let run = 0; run < 8; run++) {
    assert.equal((await orders.claimDue(10, 1)).length, 3);
    await orders.abandoned(30, 240, 3);
    assert.equal(await orders.countPending(), 3);
  }
  const { rows } = await sql<{ statement: string; generic_plans: string; custom_plans: string }>`
    select statement, generic_plans, custom_plans from pg_prepared_statements`.execute(db.db);
  const plans = (start: string) => rows.filter((r) => r.statement.startsWith(start)).map((r) => ({ generic: Number(r.generic_plans), custom: Number(r.custom_plans) }));
  for (const start of ['update "bankid_orders" set "collect_lease_until"', 'select * from "bankid_orders" where "status"', 'select count(*) as "n" from "bankid_orders"']) {
    const [only, ...others] = plans(start);
    assert.equal(others.length, 0, start);
    assert.ok(only && only.generic >= 3 && only.custom <= 5, `${start}: ${JSON.stringify(only)}`);
  }
});
