import { sql, type Kysely } from 'kysely';

/**
 * Indexes for the retention job (src/storage/retention.ts): finished orders that still hold personal data, found
 * without scanning the stripped ones, and finished orders by age for the final delete.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create index bankid_orders_personal_data on bankid_orders (completed_at)
    where completion is not null or subject is not null or browser_binding is not null
       or qr_start_secret is not null or auto_start_token is not null or return_nonce is not null`.execute(db);
  await sql`create index bankid_orders_completed_at on bankid_orders (completed_at) where completed_at is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index bankid_orders_completed_at`.execute(db);
  await sql`drop index bankid_orders_personal_data`.execute(db);
}
