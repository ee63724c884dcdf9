import { sql, type Kysely } from 'kysely';

/**
 * Phone orders (BankID /phone/auth and /phone/sign) started by an OpenID Connect CIBA request: the order keeps the id
 * of oidc-provider's BackchannelAuthenticationRequest, so whichever replica's collector finishes the order answers
 * that request (src/oidc/ciba-results.ts). No page watches a phone order; the janitor leaves it to BankID's expiry.
 * The index serves the janitor's look for recently ended phone orders whose request was left unanswered.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table bankid_orders add column ciba_request_id text`.execute(db);
  await sql`create index bankid_orders_ciba on bankid_orders (completed_at) where ciba_request_id is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index bankid_orders_ciba`.execute(db);
  await sql`alter table bankid_orders drop column ciba_request_id`.execute(db);
}
