import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { getOrCreateSecret } from '../../src/storage/broker-secrets.ts';
import { SecretBox } from '../../src/storage/encryption.ts';
import { UnsealError } from '../../src/storage/unseal.ts';
import { createTestDatabase } from '../helpers/database.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
before(async () => { database = await createTestDatabase(); });
after(async () => { await database.close(); });

const box = new SecretBox(randomBytes(32).toString('hex'));
const fresh = () => randomBytes(32).toString('hex');

test('the first call creates the secret, later calls return it', async () => {
  const first = await getOrCreateSecret(database.db, box, 'cookie-keys', () => 'first value');
  assert.equal(first, 'first value');
  assert.equal(await getOrCreateSecret(database.db, box, 'cookie-keys', () => 'second value'), 'first value');
  assert.equal(await getOrCreateSecret(database.db, box, 'dpop-nonce-secret', () => 'other'), 'other', 'names are separate');
});

test('concurrent first calls (replicas starting together) all get one value', async () => {
  const values = await Promise.all(Array.from({ length: 12 }, () => getOrCreateSecret(database.db, box, 'raced', fresh)));
  assert.equal(new Set(values).size, 1);
  assert.equal(values[0]!.length, 64);
});

test('the value is sealed at rest and needs the same ENCRYPTION_KEY', async () => {
  const value = await getOrCreateSecret(database.db, box, 'sealed', fresh);
  const row = await database.db.selectFrom('broker_secrets').selectAll().where('name', '=', 'sealed').executeTakeFirstOrThrow();
  assert.ok(!row.sealed_value.includes(value));
  assert.equal(box.open(row.sealed_value), value);
  const otherKey = new SecretBox(randomBytes(32).toString('hex'));
  await assert.rejects(getOrCreateSecret(database.db, otherKey, 'sealed', fresh), (err: Error) => err instanceof UnsealError && /broker secret sealed/.test(err.message));
});
