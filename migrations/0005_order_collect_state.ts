import { sql, type Kysely } from 'kysely';

/**
 * What the order flow needs to keep an order alive through trouble and to end it safely:
 * - `left_at`: when the page's beacon said it went away; a poll after it (a reload, a language switch) keeps the
 *   order, no poll within the grace cancels it;
 * - `collect_failures`: consecutive collects that got no usable answer; a few in a row end the order;
 * - `return_used_at`: the same-device return nonce was used (it is single-use).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table bankid_orders
      add column left_at timestamptz,
      add column collect_failures integer not null default 0,
      add column return_used_at timestamptz`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table bankid_orders
      drop column return_used_at,
      drop column collect_failures,
      drop column left_at`.execute(db);
}
