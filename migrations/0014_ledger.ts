import { sql, type Kysely } from 'kysely';

/**
 * The transaction ledger (src/storage/ledger.ts): one row per finished BankID order, written by the statement that
 * finishes the order, for usage reports and the invoice. It holds no personal data but a keyed hash of the person.
 * - `bankid_orders.collects`: collects so far, counted by the claim that precedes each;
 * - `usage_ledger`: append-only; a trigger refuses every update, and every delete but the retention fold's;
 * - `usage_daily_totals`: what the fold keeps of rows past LEDGER_RETENTION_MONTHS, per tenant day (monthly reports
 *   sum days, so a tariff change within a month stays right);
 * - tenants' report time zone and billable operations, and `tenant_tariffs` (price per billable transaction, valid
 *   from a date in the tenant's time zone).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table bankid_orders add column collects integer not null default 0`.execute(db);
  await sql`
    alter table tenants
      add column time_zone text not null default 'Europe/Stockholm',
      add column billable_operations text[] not null default '{auth,sign}'`.execute(db);
  await sql`
    create table usage_ledger (
      order_id text primary key,
      tenant_id text not null,
      client_id text,
      rp_certificate text not null,
      operation text not null,
      start_method text not null,
      outcome text not null check (outcome in ('complete', 'failed', 'cancelled', 'expired')),
      hint_code text,
      error_code text,
      cancelled_by text check (cancelled_by in ('person', 'broker', 'janitor')),
      started_at timestamptz not null,
      finished_at timestamptz not null,
      duration_ms integer not null,
      collects integer not null,
      risk text,
      person_key text
    )`.execute(db);
  await sql`create index usage_ledger_tenant_finished on usage_ledger (tenant_id, finished_at)`.execute(db);
  await sql`create index usage_ledger_finished on usage_ledger (finished_at)`.execute(db);
  await sql`
    create function usage_ledger_append_only() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' and current_setting('brygga.ledger_fold', true) = 'on' then
        return old;
      end if;
      raise exception 'usage_ledger is append-only: a finished order''s row is never changed' using errcode = 'P0001';
    end $$`.execute(db);
  await sql`
    create trigger usage_ledger_append_only before update or delete on usage_ledger
    for each row execute function usage_ledger_append_only()`.execute(db);
  await sql`
    create table usage_daily_totals (
      tenant_id text not null,
      day date not null,
      client_id text not null default '',
      rp_certificate text not null,
      operation text not null,
      start_method text not null,
      outcome text not null,
      reason text not null default '',
      cancelled_by text not null default '',
      orders integer not null,
      primary key (tenant_id, day, client_id, rp_certificate, operation, start_method, outcome, reason, cancelled_by)
    )`.execute(db);
  await sql`
    create table tenant_tariffs (
      tenant_id text not null references tenants (id),
      valid_from date not null,
      price numeric(12, 4) not null check (price >= 0),
      currency text not null check (currency ~ '^[A-Z]{3}$'),
      primary key (tenant_id, valid_from)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table tenant_tariffs`.execute(db);
  await sql`drop table usage_daily_totals`.execute(db);
  await sql`drop table usage_ledger`.execute(db);
  await sql`drop function usage_ledger_append_only()`.execute(db);
  await sql`alter table tenants drop column time_zone, drop column billable_operations`.execute(db);
  await sql`alter table bankid_orders drop column collects`.execute(db);
}
