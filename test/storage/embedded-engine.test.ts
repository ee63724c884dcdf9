/**
 * The embedded engine on its own thread, through kysely: Postgres error fields reach callers, a transaction is never
 * interleaved with other requests' statements (though those are pipelined), and LISTEN/NOTIFY crosses the thread.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { openDatabase, type DatabaseHandle } from '../../src/storage/database.ts';
import { until } from '../helpers/until.ts';

const embedded = !process.env.DATABASE_URL;
let handle: DatabaseHandle;

before(async () => {
  if (!embedded) return;
  handle = await openDatabase({ dataDir: 'memory://' });
  await sql`create table t (id int primary key, note text)`.execute(handle.db);
});
after(async () => { await handle?.close(); });

test('a Postgres error keeps its code, constraint and detail across the thread', { skip: !embedded && 'embedded engine only' }, async () => {
  await sql`insert into t values (1, 'one')`.execute(handle.db);
  await assert.rejects(sql`insert into t values (1, 'again')`.execute(handle.db), (err: Record<string, unknown>) => {
    assert.equal(err.code, '23505');
    assert.equal(err.constraint, 't_pkey');
    assert.match(String(err.detail), /already exists/);
    return true;
  });
  assert.equal((await sql<{ n: string }>`select count(*) as n from t`.execute(handle.db)).rows[0]!.n, '1', 'int8 comes back as a string, as from pg');
});

test('statements of other requests never run inside a transaction, however many are sent meanwhile', { skip: !embedded && 'embedded engine only' }, async () => {
  let inside!: () => void;
  const entered = new Promise<void>((resolve) => { inside = resolve; });
  let finish!: () => void;
  const held = new Promise<void>((resolve) => { finish = resolve; });
  const transaction = handle.db.transaction().execute(async (trx) => {
    await sql`insert into t values (2, 'uncommitted')`.execute(trx);
    inside();
    await held;
    throw new Error('roll back');
  });
  await entered;
  const outside = Array.from({ length: 20 }, () => sql<{ n: string }>`select count(*) as n from t where id = 2`.execute(handle.db));
  finish();
  await assert.rejects(transaction, /roll back/);
  for (const result of await Promise.all(outside)) assert.equal(result.rows[0]!.n, '0', 'no statement saw the rolled-back row');
});

test('LISTEN/NOTIFY: a notification reaches the listener on the broker\'s thread, until it unlistens', { skip: !embedded && 'embedded engine only' }, async () => {
  const got: string[] = [];
  const listening = await handle.listen('order_changed', { onNotify: (payload) => got.push(payload), onReconnect: () => {}, onError: (err) => { throw err; } });
  await sql`select pg_notify('order_changed', 'o-1')`.execute(handle.db);
  await until(async () => got.length, (n) => n === 1, 'the notification arrives');
  await listening.close();
  await sql`select pg_notify('order_changed', 'o-2')`.execute(handle.db);
  await sql`select 1`.execute(handle.db); // answered after the notification would have been
  assert.deepEqual(got, ['o-1']);
});
