/** oidc-provider's own models saved and found through the Postgres adapter: what the provider writes comes back intact. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import Provider from 'oidc-provider';
import { KeyStore } from '../../src/oidc/keys.ts';
import { SecretBox } from '../../src/storage/encryption.ts';
import { createOidcAdapterFactory } from '../../src/storage/oidc-adapter.ts';
import { createTestDatabase } from '../helpers/database.ts';

const CLIENT = {
  client_id: 'rp',
  client_secret: 'rp-secret',
  redirect_uris: ['https://rp.example/cb'],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
};

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let provider: Provider;
before(async () => {
  database = await createTestDatabase();
  const keys = new KeyStore(database.db, new SecretBox(randomBytes(32).toString('hex')));
  await keys.ensureKeys(new Date());
  provider = new Provider('http://localhost', {
    adapter: createOidcAdapterFactory(database.db, { clientFinder: async (id) => (id === CLIENT.client_id ? CLIENT : undefined) }),
    jwks: await keys.currentJwks(new Date(), 3600),
    clients: [],
    features: { devInteractions: { enabled: false } },
    ttl: { AccessToken: 3600, AuthorizationCode: 60, Grant: 3600, IdToken: 3600, Interaction: 600, Session: 3600, RefreshToken: 86400 },
  });
});
after(async () => { await database.close(); });

const client = async () => {
  const found = await provider.Client.find(CLIENT.client_id);
  assert.ok(found, 'the client comes through the adapter from the client finder');
  return found;
};

test('an AccessToken saved by the provider is found with its claims', async () => {
  const token = new provider.AccessToken({ client: await client(), accountId: 'acc-1', grantId: 'grant-1', gty: 'authorization_code', scope: 'openid', sessionUid: 'sess-uid', claims: { userinfo: { email: null } } });
  const value = await token.save();
  const found = await provider.AccessToken.find(value);
  assert.ok(found);
  assert.equal(found.accountId, 'acc-1');
  assert.equal(found.clientId, CLIENT.client_id);
  assert.equal(found.grantId, 'grant-1');
  assert.equal(found.scope, 'openid');
  assert.equal(found.sessionUid, 'sess-uid');
  assert.deepEqual(found.claims, { userinfo: { email: null } });
  const row = await database.db.selectFrom('oidc_payload').selectAll().where('model', '=', 'AccessToken').where('id', '=', found.jti).executeTakeFirstOrThrow();
  assert.equal(row.grant_id, 'grant-1');
  assert.ok(row.expires_at && row.expires_at.getTime() > Date.now());
});

test('a Session is found by id and by uid', async () => {
  const session = new provider.Session();
  Object.assign(session, { accountId: 'acc-2', loginTs: Math.floor(Date.now() / 1000), transient: true });
  await session.save(3600);
  const byId = await provider.Session.find(session.jti);
  const byUid = await provider.Session.findByUid(session.uid);
  assert.equal(byId?.accountId, 'acc-2');
  assert.equal(byId?.transient, true);
  assert.equal(byUid?.jti, session.jti);
});

/** The model types leave out `consumed`, which the provider sets from what the adapter returns. */
const consumed = (token: object | undefined) => (token as { consumed?: unknown } | undefined)?.consumed;

test('a consumed AuthorizationCode is found again marked consumed', async () => {
  const code = new provider.AuthorizationCode({
    client: await client(),
    accountId: 'acc-3',
    grantId: 'grant-3',
    gty: 'authorization_code',
    scope: 'openid',
    redirectUri: CLIENT.redirect_uris[0],
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    codeChallengeMethod: 'S256',
  });
  const value = await code.save();
  assert.ok(!consumed(await provider.AuthorizationCode.find(value)));
  await (await provider.AuthorizationCode.find(value))!.consume();
  const again = await provider.AuthorizationCode.find(value);
  assert.ok(again, 'a consumed code is still found, so reuse can be detected');
  assert.ok(consumed(again));
  assert.equal(again.redirectUri, CLIENT.redirect_uris[0]);
});

test('revoking a grant removes its tokens as the provider looks them up', async () => {
  const c = await client();
  const at = await new provider.AccessToken({ client: c, accountId: 'acc-4', grantId: 'grant-4', gty: 'authorization_code', scope: 'openid' }).save();
  const rt = await new provider.RefreshToken({ client: c, accountId: 'acc-4', grantId: 'grant-4', gty: 'authorization_code', scope: 'openid' }).save();
  await provider.AccessToken.adapter.revokeByGrantId('grant-4');
  assert.equal(await provider.AccessToken.find(at), undefined);
  assert.equal(await provider.RefreshToken.find(rt), undefined);
});
