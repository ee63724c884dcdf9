import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { AdapterPayload } from 'oidc-provider';
import { createLogger } from '../../src/observability/logger.ts';
import { ClientStoreReadOnlyError, createOidcAdapterFactory, purgeExpired, schedulePurge } from '../../src/storage/oidc-adapter.ts';
import { createTestDatabase } from '../helpers/database.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
before(async () => { database = await createTestDatabase(); });
after(async () => { await database.close(); });
beforeEach(async () => { await database.db.deleteFrom('oidc_payload').execute(); });

const adapter = (model: string) => createOidcAdapterFactory(database.db)(model);

/** Moves a row's expiry into the past, as the clock would. */
async function expire(model: string, id: string, secondsAgo = 1): Promise<void> {
  await sql`update oidc_payload set expires_at = now() - make_interval(secs => ${secondsAgo}) where model = ${model} and id = ${id}`.execute(database.db);
}

const count = async () => Number((await database.db.selectFrom('oidc_payload').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

describe('adapter contract', () => {
  test('upsert then find returns the payload as stored, including properties the adapter does not know', async () => {
    const payload = { jti: 'at1', kind: 'AccessToken', accountId: 'acc', scope: 'openid', extra: { nested: [1, 'two', null] }, someFutureField: true } as AdapterPayload;
    await adapter('AccessToken').upsert('at1', payload, 3600);
    assert.deepEqual(await adapter('AccessToken').find('at1'), payload);
  });

  test('find is scoped to the model and returns undefined for a missing id', async () => {
    await adapter('AccessToken').upsert('same-id', { jti: 'same-id' }, 60);
    assert.equal(await adapter('RefreshToken').find('same-id'), undefined);
    assert.equal(await adapter('AccessToken').find('other'), undefined);
  });

  test('upsert replaces the payload and its expiry; expiresIn undefined means no expiry', async () => {
    const a = adapter('Grant');
    await a.upsert('g1', { jti: 'g1', accountId: 'first' }, 60);
    await a.upsert('g1', { jti: 'g1', accountId: 'second' });
    const row = await database.db.selectFrom('oidc_payload').selectAll().where('id', '=', 'g1').executeTakeFirstOrThrow();
    assert.equal(row.expires_at, null);
    assert.deepEqual(await a.find('g1'), { jti: 'g1', accountId: 'second' });
  });

  test('expiresIn sets expires_at that many seconds ahead of the database clock', async () => {
    await adapter('Session').upsert('s1', { uid: 'u1' }, 120);
    const r = await sql<{ s: number }>`select extract(epoch from expires_at - now())::float8 as s from oidc_payload where id = 's1'`.execute(database.db);
    assert.ok(Math.abs(r.rows[0]!.s - 120) < 5, `expires in ${r.rows[0]!.s} s`);
  });

  test('expired entities are filtered in SQL by find, findByUid and findByUserCode', async () => {
    await adapter('AccessToken').upsert('short', { jti: 'short' }, 1);
    await adapter('Session').upsert('sess', { jti: 'sess', uid: 'uid-1' }, 1);
    await adapter('DeviceCode').upsert('dc', { jti: 'dc', userCode: 'ABCD-EFGH' }, 1);
    assert.ok(await adapter('AccessToken').find('short'));
    await expire('AccessToken', 'short');
    await expire('Session', 'sess');
    await expire('DeviceCode', 'dc');
    assert.equal(await adapter('AccessToken').find('short'), undefined);
    assert.equal(await adapter('Session').findByUid('uid-1'), undefined);
    assert.equal(await adapter('DeviceCode').findByUserCode('ABCD-EFGH'), undefined);
    assert.equal(await count(), 3, 'expired rows stay until the purge');
  });

  test('consume marks the entity without deleting it; find then carries a truthy consumed', async () => {
    const a = adapter('AuthorizationCode');
    await a.upsert('code1', { jti: 'code1', grantId: 'g' }, 60);
    assert.equal((await a.find('code1'))?.consumed, undefined);
    await a.consume('code1');
    const found = await a.find('code1');
    assert.ok(found?.consumed, 'consumed must be truthy');
    assert.equal(found.jti, 'code1');
    await a.consume('code1');
    assert.equal((await a.find('code1'))?.consumed, found.consumed, 'a second consume keeps the first time');
  });

  test('findByUid finds a Session by its uid, also after the session id changed', async () => {
    const a = adapter('Session');
    await a.upsert('jti-1', { jti: 'jti-1', uid: 'stable-uid', accountId: 'acc' }, 60);
    await a.destroy('jti-1');
    await a.upsert('jti-2', { jti: 'jti-2', uid: 'stable-uid', accountId: 'acc' }, 60);
    assert.deepEqual(await a.findByUid('stable-uid'), { jti: 'jti-2', uid: 'stable-uid', accountId: 'acc' });
    assert.equal(await a.findByUid('other-uid'), undefined);
  });

  test('findByUserCode finds a DeviceCode by its user code', async () => {
    await adapter('DeviceCode').upsert('dc1', { jti: 'dc1', userCode: 'WXYZ-1234', grantId: 'g' }, 600);
    assert.equal((await adapter('DeviceCode').findByUserCode('WXYZ-1234'))?.jti, 'dc1');
    assert.equal(await adapter('DeviceCode').findByUserCode('NOPE-NOPE'), undefined);
  });

  test('destroy deletes only that entity', async () => {
    await adapter('Interaction').upsert('i1', { jti: 'i1' }, 60);
    await adapter('Interaction').upsert('i2', { jti: 'i2' }, 60);
    await adapter('Interaction').destroy('i1');
    assert.equal(await adapter('Interaction').find('i1'), undefined);
    assert.ok(await adapter('Interaction').find('i2'));
  });

  test("revokeByGrantId deletes the grant's tokens across models and nothing else", async () => {
    await adapter('AccessToken').upsert('at-g1', { jti: 'at-g1', grantId: 'g1' }, 60);
    await adapter('RefreshToken').upsert('rt-g1', { jti: 'rt-g1', grantId: 'g1' }, 60);
    await adapter('AuthorizationCode').upsert('ac-g1', { jti: 'ac-g1', grantId: 'g1' });
    await adapter('AccessToken').upsert('at-g2', { jti: 'at-g2', grantId: 'g2' }, 60);
    await adapter('Grant').upsert('g1', { jti: 'g1', accountId: 'acc' }, 60);
    await adapter('Interaction').upsert('int', { jti: 'int', grantId: 'g1' }, 60); // names the grant, is not one of its tokens
    await adapter('AccessToken').revokeByGrantId('g1');
    assert.equal(await adapter('AccessToken').find('at-g1'), undefined);
    assert.equal(await adapter('RefreshToken').find('rt-g1'), undefined);
    assert.equal(await adapter('AuthorizationCode').find('ac-g1'), undefined);
    assert.ok(await adapter('AccessToken').find('at-g2'));
    assert.ok(await adapter('Grant').find('g1'));
    assert.ok(await adapter('Interaction').find('int'));
  });
});

describe('Client model', () => {
  const client = { client_id: 'rp', client_secret: 'plain', redirect_uris: ['https://rp.example/cb'] };

  test('find goes to the client finder, not to oidc_payload', async () => {
    const asked: string[] = [];
    const factory = createOidcAdapterFactory(database.db, { clientFinder: async (id) => { asked.push(id); return id === 'rp' ? client : undefined; } });
    assert.deepEqual(await factory('Client').find('rp'), client);
    assert.equal(await factory('Client').find('unknown'), undefined);
    assert.deepEqual(asked, ['rp', 'unknown']);
  });

  test('without a finder no client is found', async () => {
    assert.equal(await adapter('Client').find('rp'), undefined);
  });

  test('writing a client through the adapter fails clearly', async () => {
    await assert.rejects(adapter('Client').upsert('rp', client), ClientStoreReadOnlyError);
    await assert.rejects(adapter('Client').destroy('rp'), /clients are managed in the clients table/);
    assert.equal(await count(), 0);
  });
});

describe('purge', () => {
  test('purgeExpired deletes rows expired longer ago than the grace and returns the count', async () => {
    for (const id of ['old1', 'old2', 'recent', 'live']) await adapter('AccessToken').upsert(id, { jti: id }, 60);
    await adapter('Grant').upsert('forever', { jti: 'forever' });
    await expire('AccessToken', 'old1', 600);
    await expire('AccessToken', 'old2', 301);
    await expire('AccessToken', 'recent', 10);
    assert.equal(await purgeExpired(database.db), 2);
    const left = await database.db.selectFrom('oidc_payload').select('id').orderBy('id').execute();
    assert.deepEqual(left.map((r) => r.id), ['forever', 'live', 'recent']);
    assert.equal(await purgeExpired(database.db, 0), 1);
    assert.equal(await purgeExpired(database.db, 0), 0);
  });

  test('schedulePurge purges on its interval until stopped', async () => {
    await adapter('AccessToken').upsert('gone', { jti: 'gone' }, 60);
    await expire('AccessToken', 'gone', 3600);
    const lines: string[] = [];
    const destination = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
    const stop = schedulePurge(database.db, 5, createLogger({ level: 'debug', format: 'json', destination }));
    try {
      for (let i = 0; i < 200 && (await count()) > 0; i++) await new Promise((r) => setTimeout(r, 10));
    } finally {
      stop();
    }
    assert.equal(await count(), 0);
    assert.ok(lines.some((l) => JSON.parse(l).purged === 1), lines.join(''));
  });
});
