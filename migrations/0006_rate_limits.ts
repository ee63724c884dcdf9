import { sql, type Kysely } from 'kysely';

/**
 * Rate-limit counters shared by every replica: one row per key (an address, an interaction, a client, with the
 * limit's name), counting attempts in a fixed window that starts with the key's first attempt and ends at
 * expires_at; the next attempt after that starts a new window in the same row. Unlogged: counters lost in a
 * crash are harmless and not worth WAL on the hot path.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create unlogged table rate_limits (
      key text primary key,
      count integer not null,
      expires_at timestamptz not null
    )`.execute(db);
  await sql`create index rate_limits_expires_at on rate_limits (expires_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table rate_limits`.execute(db);
}
