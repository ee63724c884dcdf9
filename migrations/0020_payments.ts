import { sql, type Kysely } from 'kysely';

/**
 * Payments (BankID `/payment`, docs/extensions.md):
 * - `bankid_orders.payment`: the transaction a payment order sent (BankID's `userVisibleTransaction` and `riskFlags`),
 *   which the completion does not repeat, for the `urn:brygga:claim:payment` claim; deleted with the personal data;
 * - completed payments are billable like signatures: the default contract, and tenants still on it, count them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table bankid_orders add column payment jsonb`.execute(db);
  await sql`alter table tenants alter column billable_operations set default '{auth,sign,payment}'`.execute(db);
  await sql`update tenants set billable_operations = '{auth,sign,payment}' where billable_operations = '{auth,sign}'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`update tenants set billable_operations = '{auth,sign}' where billable_operations = '{auth,sign,payment}'`.execute(db);
  await sql`alter table tenants alter column billable_operations set default '{auth,sign}'`.execute(db);
  await sql`alter table bankid_orders drop column payment`.execute(db);
}
