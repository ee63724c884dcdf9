import { sql, type Kysely } from 'kysely';

/**
 * A poll of an order (every page render, a stream's opening, the streams' liveness) only marks it seen. With
 * `last_seen_at` in an index, every such update wrote a new row version into each of the table's indexes; without it
 * the update is heap-only (HOT), which needs room on the row's page: pages are filled to 80 % so it is there. The
 * janitor finds pending orders through the other partial index of pending orders (the collect lease); there are few.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop index bankid_orders_pending`.execute(db);
  await sql`alter table bankid_orders set (fillfactor = 80)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table bankid_orders reset (fillfactor)`.execute(db);
  await sql`create index bankid_orders_pending on bankid_orders (last_seen_at) where status = 'pending'`.execute(db);
}
