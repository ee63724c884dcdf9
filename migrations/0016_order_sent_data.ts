import { sql, type Kysely } from 'kysely';

/**
 * What an order sent to BankID, kept until it is collected: a digest of `userVisibleData`/`userNonVisibleData`
 * (src/bankid/verification/sent-data.ts), compared with what the completion's signature says was shown and signed;
 * cleared when the order ends.
 * Orders started before this migration have none, and fail verification (they live a few minutes at most).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table bankid_orders add column sent_data_digest text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table bankid_orders drop column sent_data_digest`.execute(db);
}
