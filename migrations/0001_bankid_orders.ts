import { sql, type Kysely } from 'kysely';

/**
 * BankID orders the broker started. orderRef, qrStartSecret and autoStartToken live only here (never in the
 * browser); the collect lease lets many replicas share one collect call per order per interval. `subject` is the
 * `sub` of the person who completed it, so claims can be found again for the ID token and userinfo.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table bankid_orders (
      id text primary key,
      order_ref text not null unique,
      operation text not null check (operation in ('auth', 'sign', 'payment', 'phone_auth', 'phone_sign')),
      start_method text not null check (start_method in ('qr', 'same_device', 'phone')),
      rp_certificate text not null,
      client_id text,
      interaction_id text,
      browser_binding text,
      return_nonce text,
      qr_start_token text,
      qr_start_secret text,
      auto_start_token text,
      status text not null default 'pending' check (status in ('pending', 'complete', 'failed', 'cancelled')),
      hint_code text,
      error_code text,
      completion jsonb,
      subject text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      collect_lease_until timestamptz,
      last_seen_at timestamptz not null default now(),
      picked_up_at timestamptz,
      completed_at timestamptz
    )`.execute(db);
  await sql`create index bankid_orders_interaction on bankid_orders (interaction_id)`.execute(db);
  await sql`create index bankid_orders_subject on bankid_orders (subject, completed_at) where subject is not null`.execute(db);
  await sql`create index bankid_orders_pending on bankid_orders (last_seen_at) where status = 'pending'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table bankid_orders`.execute(db);
}
