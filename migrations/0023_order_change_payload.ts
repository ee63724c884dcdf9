import { sql, type Kysely } from 'kysely';

/**
 * The notification of an order's change carries what it changed to (`{"id", "status", "hint", "error"}`), so a
 * replica's open streams send the change without reading the order again. Replicas older than this read the payload
 * as an order id that none of their streams watches: until they are replaced their streams see a change only at the
 * next liveness mark (10 s), as after a lost notification.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create or replace function bankid_orders_notify_change() returns trigger language plpgsql as $$
    begin
      perform pg_notify('brygga_order_changes',
        json_build_object('id', new.id, 'status', new.status, 'hint', new.hint_code, 'error', new.error_code)::text);
      return null;
    end $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    create or replace function bankid_orders_notify_change() returns trigger language plpgsql as $$
    begin
      perform pg_notify('brygga_order_changes', new.id);
      return null;
    end $$`.execute(db);
}
