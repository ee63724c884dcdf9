import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import Provider, { type JWK, type JWKS } from 'oidc-provider';
import { KeyStore, jwksFingerprint } from '../../src/oidc/keys.ts';
import { OperatorKeysError } from '../../src/oidc/operator-keys.ts';
import { SecretBox } from '../../src/storage/encryption.ts';
import { createOidcAdapterFactory } from '../../src/storage/oidc-adapter.ts';
import { UnsealError } from '../../src/storage/unseal.ts';
import { createTestDatabase } from '../helpers/database.ts';

const KEY = randomBytes(32).toString('hex');
const LIFETIME_S = 3600;
const T0 = new Date('2030-01-01T00:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

let database: Awaited<ReturnType<typeof createTestDatabase>>;
before(async () => { database = await createTestDatabase(); });
after(async () => { await database.close(); });
beforeEach(async () => { await database.db.deleteFrom('signing_keys').execute(); });

const store = () => new KeyStore(database.db, new SecretBox(KEY));
const jwk = (jwks: JWKS) => jwks.keys as JWK[];
const kids = (jwks: JWKS) => jwk(jwks).map((k) => k.kid);
/** The kid oidc-provider signs with for `alg`: the first key of that algorithm. */
const signer = (jwks: JWKS, alg: string) => jwk(jwks).find((k) => k.alg === alg)?.kid;
const rowCount = async () => (await database.db.selectFrom('signing_keys').select('kid').execute()).length;

describe('database keys', () => {
  test('the first start creates one ES256 and one RS256 private key, published and signing at once', async () => {
    const created = await store().ensureKeys(T0);
    assert.equal(created.length, 2);
    const jwks = await store().currentJwks(T0, LIFETIME_S);
    assert.deepEqual(jwk(jwks).map((k) => [k.alg, k.kty, k.crv, k.use]).sort(), [['ES256', 'EC', 'P-256', 'sig'], ['RS256', 'RSA', undefined, 'sig']]);
    assert.deepEqual(kids(jwks).sort(), [...created].sort());
    for (const key of jwk(jwks)) assert.ok(key.d, `${key.kid} carries its private part for signing`);
    const rsa = jwk(jwks).find((k) => k.kty === 'RSA')!;
    assert.equal(Buffer.from(rsa.n!, 'base64url').length * 8, 2048);
  });

  test('a second ensureKeys creates nothing', async () => {
    await store().ensureKeys(T0);
    assert.deepEqual(await store().ensureKeys(at(10)), []);
    assert.equal(await rowCount(), 2);
  });

  test('replicas starting at once on an empty table end up with one key per algorithm', async () => {
    const created = await Promise.all([store().ensureKeys(T0), store().ensureKeys(T0), store().ensureKeys(T0)]);
    assert.equal(created.flat().length, 2);
    assert.equal(await rowCount(), 2);
  });

  test('rotation publishes new keys at once, lets them sign after the propagation time, and keeps the old ones until their tokens expire', async () => {
    const keys = store();
    await keys.ensureKeys(T0);
    const before = await keys.currentJwks(at(100), LIFETIME_S);
    const old = { ES256: signer(before, 'ES256'), RS256: signer(before, 'RS256') };

    const rotation = await keys.rotate(at(1000), { propagationSeconds: 600 });
    assert.equal(rotation.kids.length, 2);
    assert.deepEqual(rotation.useFrom, at(1600));

    const propagating = await keys.currentJwks(at(1599), LIFETIME_S);
    assert.equal(propagating.keys.length, 4, 'new keys are published during propagation');
    assert.deepEqual(kids(propagating).slice(0, 2).sort(), [old.ES256, old.RS256].sort(), 'old keys come first and still sign');
    assert.deepEqual(kids(propagating).slice(2).sort(), [...rotation.kids].sort());

    const switched = await keys.currentJwks(at(1600), LIFETIME_S);
    assert.deepEqual(kids(switched).slice(0, 2).sort(), [...rotation.kids].sort(), 'new keys sign from use_from');
    assert.deepEqual(kids(switched).slice(2).sort(), [old.ES256, old.RS256].sort(), 'old keys stay published');
    assert.notEqual(signer(switched, 'ES256'), old.ES256);
    assert.notEqual(signer(switched, 'RS256'), old.RS256);

    const lastDay = await keys.currentJwks(at(1600 + LIFETIME_S), LIFETIME_S);
    assert.equal(lastDay.keys.length, 4, 'kept while a token signed just before retirement may still be valid');
    const pruned = await keys.currentJwks(at(1600 + LIFETIME_S + 1), LIFETIME_S);
    assert.deepEqual(kids(pruned).sort(), [...rotation.kids].sort());
    assert.equal(await rowCount(), 2, 'pruned keys are deleted');
  });

  test('after a rotation ensureKeys creates nothing and a second rotation retires the pending keys', async () => {
    const keys = store();
    await keys.ensureKeys(T0);
    const first = await keys.rotate(at(10), { propagationSeconds: 600 });
    assert.deepEqual(await keys.ensureKeys(at(20)), []);
    const second = await keys.rotate(at(20), { propagationSeconds: 600 });
    const between = await keys.currentJwks(at(615), LIFETIME_S);
    assert.deepEqual(kids(between).slice(0, 2).sort(), [...first.kids].sort(), "the first rotation's keys sign from their use_from to the second one's");
    const later = await keys.currentJwks(at(620), LIFETIME_S);
    assert.deepEqual(kids(later).slice(0, 2).sort(), [...second.kids].sort());
    assert.equal(later.keys.length, 6);
  });

  test('private keys are sealed at rest and need the same ENCRYPTION_KEY', async () => {
    await store().ensureKeys(T0);
    const jwks = await store().currentJwks(T0, LIFETIME_S);
    const rows = await database.db.selectFrom('signing_keys').selectAll().execute();
    for (const row of rows) {
      assert.ok(!row.sealed_jwk.includes('"d"'), 'no JWK members in clear');
      const d = jwk(jwks).find((k) => k.kid === row.kid)!.d!;
      assert.ok(!row.sealed_jwk.includes(d));
      assert.match(row.sealed_jwk, /^v1\./);
    }
    const other = new KeyStore(database.db, new SecretBox(randomBytes(32).toString('hex')));
    await assert.rejects(other.currentJwks(T0, LIFETIME_S), (err: Error) => err instanceof UnsealError && /ENCRYPTION_KEY/.test(err.message));
  });

  test('two replicas on the same database produce the identical set, and the fingerprint follows changes', async () => {
    const a = store();
    const b = store();
    await a.ensureKeys(T0);
    await b.ensureKeys(T0);
    const [ja, jb] = [await a.currentJwks(at(5), LIFETIME_S), await b.currentJwks(at(5), LIFETIME_S)];
    assert.deepEqual(ja, jb);
    assert.equal(jwksFingerprint(ja), jwksFingerprint(jb));
    await b.rotate(at(10), { propagationSeconds: 600 });
    const published = await a.currentJwks(at(20), LIFETIME_S);
    assert.notEqual(jwksFingerprint(published), jwksFingerprint(ja), 'a rotation on another replica changes the set');
    assert.equal(jwksFingerprint(await a.currentJwks(at(30), LIFETIME_S)), jwksFingerprint(published), 'stable while nothing changes');
    assert.notEqual(jwksFingerprint(await a.currentJwks(at(610), LIFETIME_S)), jwksFingerprint(published), 'the switch at use_from is a change');
    assert.deepEqual(await a.currentJwks(at(610), LIFETIME_S), await b.currentJwks(at(610), LIFETIME_S));
  });

  test('oidc-provider accepts the set and publishes every key, public parts only', async () => {
    const keys = store();
    await keys.ensureKeys(T0);
    await keys.rotate(new Date(), { propagationSeconds: 600 });
    const jwks = await keys.currentJwks(new Date(), LIFETIME_S);
    const provider = new Provider('http://localhost', { adapter: createOidcAdapterFactory(database.db), jwks, clients: [], features: { devInteractions: { enabled: false } } });
    const server: Server = createServer(provider.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`);
      const published = (await res.json()) as { keys: JWK[] };
      assert.deepEqual(published.keys.map((k) => k.kid), kids(jwks));
      assert.ok(published.keys.every((k) => k.d === undefined && k.use === 'sig'));
    } finally {
      server.close();
    }
  });
});

describe('operator keys (JWKS_FILE)', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'brygga-jwks-')); });
  after(() => { rmSync(dir, { recursive: true, force: true }); });

  const privateJwk = (kind: 'ec' | 'rsa', extra: Record<string, unknown>, curve = 'P-256') => {
    const pair = kind === 'ec' ? generateKeyPairSync('ec', { namedCurve: curve }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
    return { ...pair.privateKey.export({ format: 'jwk' }), ...extra };
  };
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  const operatorStore = (path: string) => new KeyStore(database.db, new SecretBox(KEY), { jwksFile: path });

  test("a valid file is used as is, in the operator's order, and nothing is generated", async () => {
    const set = { keys: [privateJwk('rsa', { kid: 'op-rsa', alg: 'RS256', use: 'sig' }), privateJwk('ec', { kid: 'op-ec' })] };
    const keys = operatorStore(file('good.json', set));
    assert.deepEqual(await keys.ensureKeys(T0), []);
    assert.deepEqual(await keys.currentJwks(T0, LIFETIME_S), set);
    assert.equal(await rowCount(), 0);
  });

  test('rotate refuses: the operator manages the keys', async () => {
    const keys = operatorStore(file('rotate.json', { keys: [privateJwk('ec', { kid: 'k' })] }));
    await assert.rejects(keys.rotate(T0), (err: Error) => err instanceof OperatorKeysError && err.code === 'ERR_KEYS_OPERATOR_MANAGED' && /managed by the operator/.test(err.message));
  });

  const bad: [string, unknown, RegExp][] = [
    ['not JSON', '{"keys": [', /cannot be read/],
    ['no key set', { kty: 'EC' }, /must be a JWK Set/],
    ['an empty set', { keys: [] }, /at least one key/],
    ['a key without kid', { keys: [privateJwk('ec', {})] }, /keys\[0\] without a "kid"/],
    ['duplicate kids', { keys: [privateJwk('ec', { kid: 'dup' }), privateJwk('rsa', { kid: 'dup' })] }, /kid "dup" more than once/],
    ['a public key', { keys: [{ ...privateJwk('ec', { kid: 'pub' }), d: undefined }] }, /"pub" without its private part/],
    ['broken key material', { keys: [{ ...privateJwk('ec', { kid: 'broken' }), x: 'AAAA' }] }, /"broken" that is not a usable private key/],
    ['no ES256 or RS256 key', { keys: [privateJwk('ec', { kid: 'p384' }, 'P-384'), privateJwk('rsa', { kid: 'ps', alg: 'PS256' })] }, /at least one ES256 \(EC P-256\) or RS256/],
  ];
  for (const [what, content, message] of bad) {
    test(`a file with ${what} fails with a message that says so`, async () => {
      const path = file(`${what.replace(/\W+/g, '-')}.json`, content);
      const check = (err: Error) => err instanceof OperatorKeysError && err.code === 'ERR_JWKS_FILE_INVALID' && err.message.includes(path) && message.test(err.message);
      await assert.rejects(operatorStore(path).ensureKeys(T0), check);
      await assert.rejects(operatorStore(path).currentJwks(T0, LIFETIME_S), check);
    });
  }

  test('a missing file fails clearly', async () => {
    await assert.rejects(operatorStore(join(dir, 'absent.json')).ensureKeys(T0), /JWKS_FILE .*absent\.json cannot be read: ENOENT/);
  });
});
