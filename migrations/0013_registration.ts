import { sql, type Kysely } from 'kysely';

/**
 * Initial access tokens for dynamic client registration (RFC 7591), one tenant each. The token itself is
 * oidc-provider's InitialAccessToken model in `oidc_payload`, which alone says whether it is valid and until when;
 * this row adds what the model cannot hold: the tenant it registers into, a public id for lists and the audit trail
 * (the token is a bearer secret), and who issued it. It goes with its token (cascade): revoked or purged, it is gone.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table initial_access_tokens (
      id text primary key,
      token_model text not null default 'InitialAccessToken' check (token_model = 'InitialAccessToken'),
      token_id text not null unique,
      tenant_id text not null references tenants (id) on delete cascade,
      created_by text not null,
      created_at timestamptz not null default now(),
      foreign key (token_model, token_id) references oidc_payload (model, id) on delete cascade
    )`.execute(db);
  await sql`create index initial_access_tokens_tenant on initial_access_tokens (tenant_id, id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table initial_access_tokens`.execute(db);
}
