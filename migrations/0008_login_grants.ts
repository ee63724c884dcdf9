import { sql, type Kysely } from 'kysely';

/**
 * Which BankID order a login's tokens speak for. `bankid_orders.session_uid` records the broker session a completed
 * order logged into; `login_grants` maps each oidc-provider grant (every code, access and refresh token carries its
 * grantId) to the order of the login that issued it, so claims never come from another login or another client.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table bankid_orders add column session_uid text`.execute(db);
  await sql`create index bankid_orders_session on bankid_orders (session_uid, completed_at) where session_uid is not null`.execute(db);
  await sql`
    create table login_grants (
      grant_id text primary key,
      order_id text not null references bankid_orders (id) on delete cascade,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index login_grants_order on login_grants (order_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table login_grants`.execute(db);
  await sql`alter table bankid_orders drop column session_uid`.execute(db);
}
