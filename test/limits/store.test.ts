/** The Postgres counters behind every rate limit: one statement per check, fixed windows, shared budgets protected. */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { sql } from 'kysely';
import { RateLimitStore } from '../../src/storage/rate-limits.ts';
import { createTestDatabase } from '../helpers/database.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let store: RateLimitStore;
const statements: string[] = [];
before(async () => {
  database = await createTestDatabase({ onQuery: (s) => statements.push(s) });
  store = new RateLimitStore(database.db);
});
after(async () => { await database.close(); });
beforeEach(async () => { await sql`delete from rate_limits`.execute(database.db); statements.length = 0; });

const ip = { key: 'ip:a', windowS: 60, max: 2 };
const login = { key: 'interaction:x', windowS: 600, max: 5 };
const client = { key: 'client:c', windowS: 60, max: 10 };
const countOf = (states: { key: string; count: number }[], key: string) => states.find((s) => s.key === key)?.count;

test('every key is counted and returned by one statement', async () => {
  const first = await store.hit([ip, login], [client]);
  assert.equal(statements.length, 1);
  assert.deepEqual(first.map((s) => [s.key, s.count, s.max]).sort(), [['client:c', 1, 10], ['interaction:x', 1, 5], ['ip:a', 1, 2]]);
  const second = await store.hit([ip, login], [client]);
  assert.equal(statements.length, 2);
  assert.deepEqual([countOf(second, 'ip:a'), countOf(second, 'interaction:x'), countOf(second, 'client:c')], [2, 2, 2]);
  const ipState = second.find((s) => s.key === 'ip:a')!;
  assert.ok(ipState.resetInMs > 0 && ipState.resetInMs <= 60_000, `window ends within its length, got ${ipState.resetInMs}`);
});

test('an attempt refused by its own counters does not use up the shared budget', async () => {
  for (let i = 0; i < 2; i++) await store.hit([ip], [client]);
  const refused = await store.hit([ip], [client]);
  assert.equal(countOf(refused, 'ip:a'), 3);
  assert.equal(countOf(refused, 'client:c'), undefined, 'the shared counter was not touched');
  const other = await store.hit([{ ...ip, key: 'ip:b' }], [client]);
  assert.equal(countOf(other, 'client:c'), 3, 'only the two allowed attempts of ip:a and this one count');
});

test('a window is fixed: it ends at its expiry and the next attempt starts a new one', async () => {
  for (let i = 0; i < 3; i++) await store.hit([ip]);
  const during = await store.hit([ip]);
  assert.equal(countOf(during, 'ip:a'), 4, 'attempts inside the window keep counting');
  await sql`update rate_limits set expires_at = now() - interval '1 second' where key = 'ip:a'`.execute(database.db);
  const next = await store.hit([ip]);
  assert.equal(countOf(next, 'ip:a'), 1);
  assert.ok(next[0]!.resetInMs > 59_000, 'a fresh window of the full length');
});

test('counters of ended windows are purged, in bounded batches', async () => {
  for (let i = 0; i < 5; i++) await store.hit([{ ...ip, key: `ip:${i}` }]);
  await sql`update rate_limits set expires_at = now() - interval '1 minute' where key <> 'ip:4'`.execute(database.db);
  assert.equal(await store.purgeExpired(3), 3);
  assert.equal(await store.purgeExpired(3), 1);
  const left = await sql<{ key: string }>`select key from rate_limits`.execute(database.db);
  assert.deepEqual(left.rows.map((r) => r.key), ['ip:4']);
});

test('concurrent attempts are each counted once', async () => {
  const states = await Promise.all(Array.from({ length: 30 }, () => store.hit([{ ...ip, max: 100 }])));
  assert.deepEqual(states.map((s) => s[0]!.count).sort((a, b) => a - b), Array.from({ length: 30 }, (_, i) => i + 1));
});
