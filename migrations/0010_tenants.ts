import { sql, type Kysely } from 'kysely';

/**
 * Tenants (organisations with their own BankID agreement) and their relying-party certificates.
 * A default tenant exists from the start, so a single-organisation install needs no extra step, and every
 * existing client belongs to it. Its `bankid_environment` is null: it follows BANKID_ENV.
 * A certificate is staged, then active (at most one per tenant), then retired (kept for rollback until removed).
 * The exclusion constraint is deferred so that one UPDATE can swap the active certificate: every replica sees
 * either the old or the new one, never none or two.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table tenants (
      id text primary key,
      name_sv text not null,
      name_en text not null,
      organisation_number text unique,
      contacts jsonb not null default '[]',
      bankid_environment text check (bankid_environment in ('production', 'test', 'simulator')),
      policy jsonb not null default '{}',
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`insert into tenants (id, name_sv, name_en) values ('default', 'Standardorganisation', 'Default organisation')`.execute(db);
  await sql`alter table clients add column tenant_id text not null default 'default' references tenants (id)`.execute(db);
  await sql`create index clients_tenant on clients (tenant_id)`.execute(db);
  await sql`
    create table rp_certificates (
      fingerprint text primary key,
      tenant_id text not null references tenants (id),
      state text not null check (state in ('staged', 'active', 'retired')),
      environment text not null check (environment in ('production', 'test', 'simulator')),
      subject text not null,
      issuer text not null,
      serial_number text not null,
      not_before timestamptz not null,
      not_after timestamptz not null,
      cert_pem text not null,
      sealed_key text not null,
      created_at timestamptz not null default now(),
      activated_at timestamptz,
      retired_at timestamptz,
      constraint rp_certificates_one_active exclude using btree (tenant_id with =) where (state = 'active') deferrable initially deferred
    )`.execute(db);
  await sql`create index rp_certificates_tenant on rp_certificates (tenant_id, state)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table rp_certificates`.execute(db);
  await sql`alter table clients drop column tenant_id`.execute(db);
  await sql`drop table tenants`.execute(db);
}
