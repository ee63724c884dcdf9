import { sql, type Kysely } from 'kysely';

/** OIDC clients registered by an admin; metadata is what oidc-provider validates, the secret is sealed. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table clients (
      client_id text primary key,
      sealed_secret text,
      metadata jsonb not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table clients`.execute(db);
}
