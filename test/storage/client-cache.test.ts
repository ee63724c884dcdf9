/** The client lookup cache: bounded however many ids are asked for, and never stale after a save or remove here. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { ClientRepository } from '../../src/storage/clients.ts';
import { SecretBox } from '../../src/storage/encryption.ts';
import { createTestDatabase } from '../helpers/database.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
const queries: string[] = [];
const box = new SecretBox('cd'.repeat(32));
before(async () => { database = await createTestDatabase({ onQuery: (sql) => queries.push(sql) }); });
after(async () => { await database?.close(); });

test('5,000 random unknown client ids leave the cache bounded by the miss limit', async () => {
  const clients = new ClientRepository(database.db, box, { maxClients: 300, maxMisses: 50 });
  await clients.save({ client_id: 'kept', redirect_uris: ['https://a.example/cb'] });
  assert.ok(await clients.find('kept'));
  for (let batch = 0; batch < 50; batch++) {
    const found = await Promise.all(Array.from({ length: 100 }, () => clients.find(randomBytes(12).toString('base64url'))));
    assert.ok(found.every((c) => c === undefined));
  }
  assert.equal(clients.cacheSize, 1 + 50, 'one client and at most 50 misses');
});

test('unknown ids do not push a known client out of the cache', async () => {
  const clients = new ClientRepository(database.db, box, { maxMisses: 5 });
  await clients.save({ client_id: 'known', redirect_uris: ['https://a.example/cb'] });
  assert.ok(await clients.find('known'));
  for (let i = 0; i < 20; i++) await clients.find(`unknown-${i}`);
  const before = queries.length;
  assert.ok(await clients.find('known'));
  assert.equal(queries.length, before, 'served from the cache');
  assert.equal(clients.cacheSize, 1 + 5);
});

test('found clients are bounded too, least recently used first out', async () => {
  const clients = new ClientRepository(database.db, box, { maxClients: 10 });
  for (let i = 0; i < 25; i++) await clients.save({ client_id: `lru-${i}`, redirect_uris: ['https://a.example/cb'] });
  for (let i = 0; i < 25; i++) assert.equal((await clients.find(`lru-${i}`))?.client_id, `lru-${i}`);
  assert.equal(clients.cacheSize, 10);
});

test('a save or remove is seen at once, even right after the id was looked up and missed', async () => {
  const clients = new ClientRepository(database.db, box, { cacheMs: 60_000 });
  assert.equal(await clients.find('late'), undefined);
  await clients.save({ client_id: 'late', client_secret: 'first-secret', redirect_uris: ['https://a.example/cb'] });
  assert.equal((await clients.find('late'))?.client_secret, 'first-secret');
  await clients.save({ client_id: 'late', client_secret: 'second-secret', redirect_uris: ['https://a.example/cb'] });
  assert.equal((await clients.find('late'))?.client_secret, 'second-secret');
  assert.equal(await clients.remove('late'), true);
  assert.equal(await clients.find('late'), undefined);
});

test('an id no client can have is not found and not cached; saving one is refused', async () => {
  const clients = new ClientRepository(database.db, box);
  for (const id of ['a\u0000b', 'a\ud800b', 'x'.repeat(513), '']) assert.equal(await clients.find(id), undefined);
  assert.equal(clients.cacheSize, 0);
  await assert.rejects(clients.save({ client_id: 'a\u0000b', redirect_uris: ['https://a.example/cb'] }), /client_id/);
});
