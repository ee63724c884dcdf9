import { sql, type Kysely } from 'kysely';

/**
 * How many times the order's page was rendered. Each page carries its number in its leave beacon, so the late beacon
 * of a page that was already replaced (F5 on a slow link) cannot mark the order as left under the new page's eyes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table bankid_orders add column page_renders integer not null default 0`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table bankid_orders drop column page_renders`.execute(db);
}
