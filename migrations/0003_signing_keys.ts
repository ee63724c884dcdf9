import { sql, type Kysely } from 'kysely';

/**
 * Signing keys and broker-wide secrets, shared by every replica and sealed with ENCRYPTION_KEY.
 * A key is published from creation, signs from use_from, and is retired (still published) from retired_at.
 * At most one key per algorithm is unretired: that is the key the next rotation replaces, and the unique
 * index turns two replicas creating first keys at once into one insert and a no-op.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table signing_keys (
      kid text primary key,
      alg text not null check (alg in ('ES256', 'RS256')),
      sealed_jwk text not null,
      created_at timestamptz not null default now(),
      use_from timestamptz not null,
      retired_at timestamptz
    )`.execute(db);
  await sql`create unique index signing_keys_one_unretired_per_alg on signing_keys (alg) where retired_at is null`.execute(db);
  await sql`
    create table broker_secrets (
      name text primary key,
      sealed_value text not null,
      created_at timestamptz not null default now()
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table broker_secrets`.execute(db);
  await sql`drop table signing_keys`.execute(db);
}
