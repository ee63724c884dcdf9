import { sql, type Kysely } from 'kysely';

/**
 * The request that started an order (its `X-Request-Id`, on the access log line and the person's error page), so the
 * audit records of the order's end name it too, though a collect far from any request ends most orders.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table bankid_orders add column request_id text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table bankid_orders drop column request_id`.execute(db);
}
