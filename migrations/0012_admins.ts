import { sql, type Kysely } from 'kysely';

/**
 * The admin console's admins: a person by a keyed hash of the personal number (HMAC, never the number itself), a
 * display name and a role. A broker admin has no tenant; a tenant admin or auditor has exactly one, and goes with it.
 * One person may hold a role in several tenants, but one row per tenant (and one as broker admin).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table admins (
      id text primary key,
      personal_number_hash text not null,
      display_name text not null,
      role text not null check (role in ('broker_admin', 'tenant_admin', 'tenant_auditor')),
      tenant_id text references tenants (id) on delete cascade,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      constraint admins_tenant_by_role check ((role = 'broker_admin') = (tenant_id is null)),
      constraint admins_one_per_tenant unique nulls not distinct (personal_number_hash, tenant_id)
    )`.execute(db);
  await sql`create index admins_tenant on admins (tenant_id, id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table admins`.execute(db);
}
