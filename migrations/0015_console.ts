import { sql, type Kysely } from 'kysely';

/**
 * The admin console's sessions, server-side so every replica knows them and a sign-out ends them everywhere. The
 * cookie holds only the id. `admin_ids` are the admins rows the person signed in as (null until the BankID sign-in
 * completes); `pending` is the sign-in under way (state, nonce, PKCE verifier, where to go back to).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table console_sessions (
      id text primary key,
      csrf text not null,
      admin_ids jsonb,
      display_name text,
      authenticated_at timestamptz,
      pending jsonb,
      draft jsonb,
      last_seen_at timestamptz not null,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index console_sessions_last_seen on console_sessions (last_seen_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table console_sessions`.execute(db);
}
