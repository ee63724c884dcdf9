import { sql, type Kysely } from 'kysely';

/**
 * Every oidc-provider model (Session, Interaction, Grant, codes, tokens, ...), one row per entity, payload stored
 * opaquely. grant_id, uid and user_code are copied out of the payload so revocation and the by-uid/by-user-code
 * lookups use an index; expires_at lets every lookup filter expired rows in SQL and the purge job find them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table oidc_payload (
      model text not null,
      id text not null,
      payload jsonb not null,
      grant_id text,
      uid text,
      user_code text,
      expires_at timestamptz,
      consumed_at timestamptz,
      primary key (model, id)
    )`.execute(db);
  await sql`create index oidc_payload_grant_id on oidc_payload (grant_id) where grant_id is not null`.execute(db);
  await sql`create index oidc_payload_session_uid on oidc_payload (uid) where model = 'Session'`.execute(db);
  await sql`create index oidc_payload_device_user_code on oidc_payload (user_code) where model = 'DeviceCode'`.execute(db);
  await sql`create index oidc_payload_expires_at on oidc_payload (expires_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table oidc_payload`.execute(db);
}
