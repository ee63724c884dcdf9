/**
 * Statements on a PostgreSQL server run as named (prepared) statements, planned once per connection (issue 7), and a
 * schema change by another replica under a prepared `select *` costs no failed request.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { openDatabase, type DatabaseHandle } from '../../src/storage/database.ts';
import { createTestDatabase } from '../helpers/database.ts';

const skip = process.env.DATABASE_URL ? false : 'needs a PostgreSQL server (DATABASE_URL): the embedded engine has no server connection to prepare statements on';

let backing: DatabaseHandle & { url?: string };
let db: DatabaseHandle;

before(async () => {
  if (skip) return;
  backing = await createTestDatabase({ migrate: false });
  // One connection: what it prepared is what pg_prepared_statements shows.
  db = await openDatabase({ url: backing.url!, dataDir: 'unused', poolSize: 1 });
  await sql`create table things (id int primary key, name text)`.execute(db.db);
  await sql`insert into things values (1, 'one')`.execute(db.db);
});
after(async () => {
  await db?.close();
  await backing?.close();
});

async function prepared(): Promise<string[]> {
  const { rows } = await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(db.db);
  return rows.map((r) => r.statement);
}

test('a statement is prepared on its connection once and run by name after', { skip }, async () => {
  const query = db.db.selectFrom('things' as never).select(sql`name`.as('name')).where(sql`id`, '=', 1);
  const text = query.compile().sql;
  assert.deepEqual(await query.execute(), [{ name: 'one' }]);
  assert.deepEqual(await query.execute(), [{ name: 'one' }]);
  assert.equal((await prepared()).filter((s) => s === text).length, 1);
});

test('a prepared select * whose table gained a column under it (a newer replica migrated) still answers, with the column', { skip }, async () => {
  const query = db.db.selectFrom('things' as never).selectAll().where(sql`id`, '=', 1);
  assert.deepEqual(await query.execute(), [{ id: 1, name: 'one' }]);
  assert.ok((await prepared()).includes(query.compile().sql));
  const other = await openDatabase({ url: backing.url!, dataDir: 'unused', poolSize: 1 });
  try {
    await sql`alter table things add column colour text not null default 'blue'`.execute(other.db);
  } finally {
    await other.close();
  }
  assert.deepEqual(await query.execute(), [{ id: 1, name: 'one', colour: 'blue' }]);
  assert.deepEqual(await query.execute(), [{ id: 1, name: 'one', colour: 'blue' }]);
});
