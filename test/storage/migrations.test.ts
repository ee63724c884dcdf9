import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { createTestDatabase } from '../helpers/database.ts';
import { migrateToLatest } from '../../src/storage/migrator.ts';

const engine = process.env.DATABASE_URL ? 'PostgreSQL server' : 'embedded PGlite';
let database: Awaited<ReturnType<typeof createTestDatabase>>;
before(async () => { database = await createTestDatabase(); });
after(async () => { await database.close(); });

test(`migrations create the tables on ${engine}`, async () => {
  const tables = await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = 'public'`.execute(database.db);
  const names = tables.rows.map((r) => r.table_name);
  assert.ok(names.includes('bankid_orders'), `bankid_orders missing from ${names.join(', ')}`);
  assert.equal(database.kind, process.env.DATABASE_URL ? 'postgres' : 'pglite');
});

test('migrating again applies nothing', async () => {
  assert.deepEqual(await migrateToLatest(database.db), []);
});

test('a database that has applied a migration these sources lack is refused, not taken as up to date', async () => {
  const { MigrationError } = await import('../../src/storage/migrator.ts');
  await sql`insert into kysely_migration (name, timestamp) values ('9999_from_a_newer_release', ${new Date().toISOString()})`.execute(database.db);
  try {
    await assert.rejects(migrateToLatest(database.db), (err: Error) => err instanceof MigrationError && /9999_from_a_newer_release/.test(err.message));
  } finally {
    await sql`delete from kysely_migration where name = '9999_from_a_newer_release'`.execute(database.db);
  }
  assert.deepEqual(await migrateToLatest(database.db), []);
});

test('int8 comes back as a string on both engines', async () => {
  const r = await sql<{ n: string }>`select count(*) as n from bankid_orders`.execute(database.db);
  assert.equal(r.rows[0]!.n, '0');
});

test('transactions on one handle do not interleave', async () => {
  await sql`create table tx_probe (n int)`.execute(database.db);
  await Promise.all(Array.from({ length: 20 }, (_, i) => database.db.transaction().execute(async (trx) => {
    await sql`insert into tx_probe values (${i})`.execute(trx);
    const r = await sql<{ c: string }>`select count(*) as c from tx_probe where n = ${i}`.execute(trx);
    assert.equal(r.rows[0]!.c, '1');
  })));
  const total = await sql<{ c: string }>`select count(*) as c from tx_probe`.execute(database.db);
  assert.equal(total.rows[0]!.c, '20');
});

test('a failing migration stops with an error that names it', async () => {
  const { MigrationError } = await import('../../src/storage/migrator.ts');
  const fresh = await createTestDatabase({ migrate: false });
  try {
    // A table already in the way makes the first migration fail, as a hand-made change in production would.
    await sql`create table bankid_orders (id text)`.execute(fresh.db);
    await assert.rejects(migrateToLatest(fresh.db), (err: Error) => err instanceof MigrationError && /0001_bankid_orders/.test(err.message) && /already exists/.test(err.message));
  } finally {
    await fresh.close();
  }
});
