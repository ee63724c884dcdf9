/** The adapter within a request: each entity read once, a token's context read with it, the writes sent as one statement. */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type { AdapterPayload } from 'oidc-provider';
import { loadInteractionWithOrder } from '../../src/storage/interaction-context.ts';
import { LoginRepository } from '../../src/storage/logins.ts';
import { createOidcAdapterFactory } from '../../src/storage/oidc-adapter.ts';
import { OrderRepository } from '../../src/storage/orders.ts';
import { withBatchedWrites } from '../../src/storage/oidc-writes.ts';
import { withRequestScope } from '../../src/storage/request-scope.ts';
import { createTestDatabase } from '../helpers/database.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let statements: string[] = [];
before(async () => { database = await createTestDatabase({ onQuery: (sql) => statements.push(sql) }); });
after(async () => { await database.close(); });
beforeEach(async () => {
  await database.db.deleteFrom('oidc_payload').execute();
  await database.db.deleteFrom('bankid_orders').execute();
  statements = [];
});

const adapter = (model: string) => createOidcAdapterFactory(database.db)(model);
/** Statements run by `fn`. */
async function counting(fn: () => Promise<unknown>): Promise<number> {
  const before = statements.length;
  await fn();
  return statements.length - before;
}

test('in a request an entity is read once, a write makes the next read ask again, and outside one every read asks', async () => {
  await adapter('Interaction').upsert('i1', { jti: 'i1', returnTo: '/a' } as AdapterPayload, 60);
  await withRequestScope(async () => {
    assert.equal(await counting(async () => {
      const first = await adapter('Interaction').find('i1');
      first!.returnTo = 'changed by the caller';
      assert.equal((await adapter('Interaction').find('i1'))!.returnTo, '/a', 'each read gets its own copy');
      assert.equal(await adapter('Interaction').find('missing'), undefined);
      assert.equal(await adapter('Interaction').find('missing'), undefined);
    }), 2);
    await adapter('Interaction').upsert('i1', { jti: 'i1', returnTo: '/b' } as AdapterPayload, 60);
    assert.equal((await adapter('Interaction').find('i1'))!.returnTo, '/b');
    await adapter('Interaction').destroy('i1');
    assert.equal(await counting(async () => assert.equal(await adapter('Interaction').find('i1'), undefined)), 0);
  });
  await adapter('Interaction').upsert('i2', { jti: 'i2' } as AdapterPayload, 60);
  assert.equal(await counting(() => Promise.all([adapter('Interaction').find('i2'), adapter('Interaction').find('i2')])), 2);
});

test('a token brings its grant and session: the later lookups of the request cost nothing', async () => {
  await adapter('Grant').upsert('g1', { jti: 'g1', accountId: 'acc' } as AdapterPayload, 60);
  await adapter('Session').upsert('s1', { jti: 's1', uid: 'u1', accountId: 'acc' } as AdapterPayload, 60);
  await adapter('AccessToken').upsert('at1', { jti: 'at1', grantId: 'g1', sessionUid: 'u1' } as AdapterPayload, 60);
  await adapter('AccessToken').upsert('at2', { jti: 'at2', grantId: 'gone', sessionUid: 'gone' } as AdapterPayload, 60);
  await withRequestScope(async () => {
    assert.equal(await counting(async () => {
      const token = await adapter('AccessToken').find('at1');
      assert.equal(token!.grantId, 'g1');
      token!.grantId = 'changed by the caller';
      assert.equal((await adapter('AccessToken').find('at1'))!.grantId, 'g1', 'the scope keeps its own copy');
      const grant = await adapter('Grant').find('g1');
      assert.equal(grant!.accountId, 'acc');
      grant!.accountId = 'changed by the caller';
      assert.equal((await adapter('Grant').find('g1'))!.accountId, 'acc', 'each read gets its own copy');
      assert.equal((await adapter('Session').findByUid('u1'))!.jti, 's1');
      assert.equal((await adapter('AccessToken').find('at2'))!.grantId, 'gone');
      assert.equal(await adapter('Grant').find('gone'), undefined, 'a grant the token names but that is gone is not found');
      assert.equal(await adapter('Session').findByUid('gone'), undefined);
    }), 2);
  });
});

test('batched writes go as one statement when the batch ends, and reads in the batch see them', async () => {
  await adapter('Interaction').upsert('old', { jti: 'old' } as AdapterPayload, 60);
  await adapter('AuthorizationCode').upsert('code', { jti: 'code', grantId: 'g' } as AdapterPayload, 60);
  const sent = statements.length;
  const written = await counting(() => withRequestScope(() => withBatchedWrites(database.db, async () => {
    await adapter('Interaction').destroy('old');
    await adapter('Grant').upsert('g', { jti: 'g', accountId: 'a' } as AdapterPayload, 60);
    await adapter('Grant').upsert('g', { jti: 'g', accountId: 'b' } as AdapterPayload, 60); // the last state wins
    await adapter('Session').upsert('s', { jti: 's', uid: 'u' } as AdapterPayload, 60);
    await adapter('AuthorizationCode').consume('code');
    await adapter('AccessToken').upsert('at', { jti: 'at', grantId: 'g' } as AdapterPayload, 60);
    await adapter('AccessToken').consume('at');
    await adapter('RefreshToken').upsert('rt', { jti: 'rt' } as AdapterPayload, 60);
    await adapter('RefreshToken').destroy('rt');
    assert.equal(statements.length, sent, 'nothing sent before the batch ends');
  })));
  assert.equal(written, 1);
  assert.equal(await adapter('Interaction').find('old'), undefined);
  assert.equal((await adapter('Grant').find('g'))!.accountId, 'b');
  assert.equal((await adapter('Session').findByUid('u'))!.jti, 's');
  assert.ok((await adapter('AuthorizationCode').find('code'))!.consumed);
  assert.ok((await adapter('AccessToken').find('at'))!.consumed);
  assert.equal(await adapter('RefreshToken').find('rt'), undefined);

  await withRequestScope(() => withBatchedWrites(database.db, async () => {
    await adapter('Session').upsert('s2', { jti: 's2', uid: 'u2' } as AdapterPayload, 60);
    assert.equal((await adapter('Session').findByUid('u2'))!.jti, 's2', 'a read that asks the database sends the pending writes first');
    await adapter('AccessToken').upsert('at3', { jti: 'at3', grantId: 'g' } as AdapterPayload, 60);
    await adapter('AccessToken').revokeByGrantId('g');
  }));
  assert.equal(await adapter('AccessToken').find('at3'), undefined, 'revoking sends the pending writes first, then removes them');
});

test('an interaction page reads its interaction and polls its latest order in one statement, columns typed as a poll\'s', async () => {
  const orders = new OrderRepository(database.db);
  await adapter('Interaction').upsert('i-page', { jti: 'i-page', returnTo: '/r' } as AdapterPayload, 60);
  const order = { orderRef: 'ref', operation: 'auth', startMethod: 'qr', rpCertificate: 'fp', interactionId: 'i-page', browserBinding: 'b', sentDataDigest: 'd' } as const;
  await orders.create({ ...order, id: 'o-old' });
  await orders.create({ ...order, id: 'o-new', orderRef: 'ref-2' });
  await database.db.updateTable('bankid_orders').set({ created_at: new Date(Date.now() - 60_000), left_at: new Date() }).where('id', '=', 'o-old').execute();
  await database.db.updateTable('bankid_orders').set({ left_at: new Date(), completion: JSON.stringify({ user: { personalNumber: '1' } }) }).where('id', '=', 'o-new').execute();
  const alone = await orders.poll('i-page', true); // as a statement of its own, for comparison
  await database.db.updateTable('bankid_orders').set({ left_at: new Date() }).where('id', '=', 'o-new').execute();
  await withRequestScope(async () => {
    let polled;
    assert.equal(await counting(async () => {
      await loadInteractionWithOrder(database.db, 'i-page', true);
      assert.equal((await adapter('Interaction').find('i-page'))!.returnTo, '/r');
      polled = await orders.poll('i-page', true);
    }), 1);
    assert.deepEqual(Object.keys(polled!).sort(), Object.keys(alone!).sort());
    assert.equal(polled!.id, 'o-new');
    assert.equal(polled!.left_at, null, 'the page is back');
    assert.equal(polled!.page_renders, 2, 'the render is counted');
    assert.deepEqual(polled!.completion, { user: { personalNumber: '1' } });
    for (const column of ['created_at', 'last_seen_at', 'db_now'] as const) assert.ok(polled![column] instanceof Date, column);
    assert.equal(typeof polled!.collects, 'number');
    // Taken once: the request's next read, after it may have changed the order, asks the database.
    assert.equal(await counting(async () => assert.equal((await orders.latestForInteraction('i-page'))!.id, 'o-new')), 1);
  });
  await withRequestScope(async () => {
    assert.equal(await counting(async () => {
      await loadInteractionWithOrder(database.db, 'i-page', false);
      assert.equal((await orders.latestForInteraction('i-page'))!.page_renders, 2, 'a poll that renders no page counts none');
      await loadInteractionWithOrder(database.db, 'i-none', true);
      assert.equal(await adapter('Interaction').find('i-none'), undefined);
      assert.equal(await orders.poll('i-none', true), undefined);
    }), 2);
    // A render's poll is never answered by a poll that counted no page.
    await loadInteractionWithOrder(database.db, 'i-page', false);
    assert.equal(await counting(async () => assert.equal((await orders.poll('i-page', true))!.page_renders, 3)), 1);
  });
});

test('the login a code speaks for is bound in the statement that saves the code and the session', async () => {
  const orders = new OrderRepository(database.db);
  const logins = new LoginRepository(database.db);
  await orders.create({ id: 'o-login', orderRef: 'ref-login', operation: 'auth', startMethod: 'qr', rpCertificate: 'fp', sentDataDigest: 'd' });
  await orders.update('o-login', { status: 'complete', subject: 'sub-1', completion: { user: { personalNumber: '1' } } });
  const written = await counting(() => withRequestScope(() => withBatchedWrites(database.db, async () => {
    await adapter('Session').upsert('s-login', { jti: 's-login', uid: 'u-login' } as AdapterPayload, 60);
    await adapter('AuthorizationCode').upsert('code-login', { jti: 'code-login', grantId: 'g-login' } as AdapterPayload, 60);
    await logins.attachSession('o-login', 'u-login');
    await logins.bindGrantToOrder('g-login', 'o-login');
  })));
  assert.equal(written, 1);
  assert.equal((await database.db.selectFrom('bankid_orders').select('session_uid').where('id', '=', 'o-login').executeTakeFirstOrThrow()).session_uid, 'u-login');
  assert.equal((await logins.orderForGrant('g-login', 'sub-1'))?.orderRef, 'ref-login');
  // Outside a provider request a binding is written at once.
  assert.equal(await counting(() => logins.bindGrant('g-sso', 'u-login')), 1);
  assert.equal((await logins.orderForGrant('g-sso', 'sub-1'))?.orderRef, 'ref-login');
});
