import { sql, type Kysely } from 'kysely';

/**
 * The admin API's record of every change (who, which tenant, what, before and after without secrets, the request
 * id), and what secret rotation needs: the previous secret, sealed, valid until its grace period ends.
 * `clients.tenant_id` belongs to 0010_tenants; it is added here only if that migration has not (a branch without
 * tenants), so the admin API can scope by tenant either way.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table clients add column if not exists tenant_id text not null default 'default'`.execute(db);
  await sql`create index if not exists clients_tenant_client on clients (tenant_id, client_id)`.execute(db);
  await sql`alter table clients add column sealed_previous_secret text, add column previous_secret_expires_at timestamptz`.execute(db);
  await sql`
    create table admin_audit (
      id bigint generated always as identity primary key,
      at timestamptz not null default now(),
      actor text not null,
      tenant_id text,
      action text not null,
      object_type text not null,
      object_id text not null,
      before jsonb,
      after jsonb,
      request_id text
    )`.execute(db);
  await sql`create index admin_audit_object on admin_audit (object_type, object_id, id)`.execute(db);
  await sql`create index admin_audit_actor on admin_audit (actor, id)`.execute(db);
  await sql`create index admin_audit_tenant on admin_audit (tenant_id, id)`.execute(db);
  await sql`create index admin_audit_at on admin_audit (at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table admin_audit`.execute(db);
  await sql`alter table clients drop column sealed_previous_secret, drop column previous_secret_expires_at`.execute(db);
}
