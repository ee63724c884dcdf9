import { sql, type Kysely } from 'kysely';

/**
 * What waiting needs from the orders table:
 * - an index of pending orders by collect lease, so each replica's collector claims the due ones without a scan;
 * - a trigger that notifies `brygga_order_changes` (payload: the order id) whenever an order's status or hint
 *   changes, whoever wrote it (a collector, a cancel, the janitor), so every replica's open streams learn of it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index bankid_orders_collect_due on bankid_orders (collect_lease_until) where status = 'pending'`.execute(db);
  await sql`
    create function bankid_orders_notify_change() returns trigger language plpgsql as $$
    begin
      perform pg_notify('brygga_order_changes', new.id);
      return null;
    end $$`.execute(db);
  await sql`
    create trigger bankid_orders_changed after update of status, hint_code on bankid_orders
    for each row when (old.status is distinct from new.status or old.hint_code is distinct from new.hint_code)
    execute function bankid_orders_notify_change()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger bankid_orders_changed on bankid_orders`.execute(db);
  await sql`drop function bankid_orders_notify_change()`.execute(db);
  await sql`drop index bankid_orders_collect_due`.execute(db);
}
