/**
 * Dynamic client registration (RFC 7591/7592) over real HTTP on a started broker: initial access tokens an admin
 * issues per tenant, a registered client in that tenant logging in through the simulator, the tenant's policy and
 * Brygga's rules refused with the reason, self-management with the registration access token, revocation and expiry,
 * and an audit row for each change.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import * as oidc from 'openid-client';
import type { TestBroker } from '../helpers/broker.ts';
import { field } from '../helpers/http-browser.ts';
import { authorize, bankIdLogin, REDIRECT_URI } from '../helpers/rp.ts';
import { registeredClients } from '../../src/admin/actions/registration/clients.ts';
import { ClientAdminStore } from '../../src/storage/client-admin.ts';
import { SecretBox } from '../../src/storage/encryption.ts';
import { ClientStoreReadOnlyError } from '../../src/storage/oidc-adapter.ts';
import { BOOTSTRAP, call, clientCredentialsToken, startAdminBroker } from '../admin/support.ts';

let t: TestBroker;
const db = () => t.broker.database.db;
const TENANT = 'kommun-t';
const OTHER = 'kommun-u';
const RAT_TTL_S = 7200;
const CLIENT = { client_name: 'Självservice', redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: 'client_secret_post' };

interface Reply { status: number; json: any; headers: Headers }

async function send(method: string, url: string, token: string | undefined, body?: unknown): Promise<Reply> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined, headers: response.headers };
}

const register = (token: string | undefined, metadata: Record<string, unknown>) => send('POST', `${t.broker.url}/reg`, token, metadata);

async function issue(tenantId = TENANT, body: Record<string, unknown> = {}): Promise<{ id: string; token: string }> {
  const issued = await call(t, 'POST', `/tenants/${tenantId}/initial-access-tokens`, { token: BOOTSTRAP, body });
  assert.equal(issued.status, 201, JSON.stringify(issued.json));
  return issued.json;
}

const storedClients = async () => (await db().selectFrom('clients').select(['client_id', 'tenant_id']).orderBy('client_id').execute());

before(async () => {
  t = await startAdminBroker({ DYNAMIC_CLIENT_REGISTRATION: 'true', REGISTRATION_ACCESS_TOKEN_TTL_S: String(RAT_TTL_S) });
  // Tenant T offers QR only; its logins need its own certificate.
  await t.broker.tenants.create({ id: TENANT, name: { sv: 'Kommun T', en: 'Municipality T' }, bankidEnvironment: 'simulator', policy: { startMethods: ['qr'] } });
  const issued = t.simulator.issueRpCertificate({ displayName: 'Kommun T' });
  const staged = await t.broker.certificates.add({ tenantId: TENANT, pkcs12: issued.pkcs12, passphrase: t.simulator.rpP12Passphrase });
  await t.broker.certificates.activate(staged.fingerprint);
  await t.broker.tenants.create({ id: OTHER, name: { sv: 'Kommun U', en: 'Municipality U' }, bankidEnvironment: 'simulator' });
});
after(async () => { await t?.close(); });

test('without an initial access token, or with an unknown one, registration is refused with invalid_token', async () => {
  const before = await storedClients();
  for (const token of [undefined, 'not-a-token']) {
    const refused = await register(token, CLIENT);
    assert.equal(refused.status, 401, JSON.stringify(refused.json));
    assert.equal(refused.json.error, 'invalid_token');
  }
  assert.deepEqual(await storedClients(), before);
  const discovery = await send('GET', `${t.broker.url}/.well-known/openid-configuration`, undefined);
  assert.equal(discovery.json.registration_endpoint, `${t.broker.url}/reg`);
});

test('a token of tenant T registers a client into T (secret sealed), and it logs in through the simulator', async () => {
  const { token } = await issue();
  const config = await oidc.dynamicClientRegistration(new URL(t.broker.url), { ...CLIENT, brygga_start_methods: ['qr'] }, undefined, { initialAccessToken: token, execute: [oidc.allowInsecureRequests] });
  const { client_id: clientId, client_secret: secret } = config.clientMetadata();
  assert.equal(typeof secret, 'string');

  const stored = await call(t, 'GET', `/clients/${clientId}`, { token: BOOTSTRAP });
  assert.equal(stored.status, 200);
  assert.equal(stored.json.tenant_id, TENANT);
  assert.equal(stored.json.has_secret, true);
  const row = await db().selectFrom('clients').select(['sealed_secret', 'metadata']).where('client_id', '=', clientId).executeTakeFirstOrThrow();
  assert.ok(!row.sealed_secret!.includes(String(secret)) && !JSON.stringify(row.metadata).includes(String(secret)), 'the secret is sealed, not stored as is');

  // Not first party: the person consents, then the client gets its tokens.
  const auth = await authorize(t, config);
  const consent = await bankIdLogin(t, auth);
  assert.equal(consent.status, 200, consent.body.slice(0, 200));
  const uid = /\/interaction\/([\w-]+)/.exec(consent.url)![1]!;
  const allowed = await auth.browser.post(`${t.broker.url}/interaction/${uid}/consent`, { csrf: field(consent.body, 'csrf') });
  const back = await auth.browser.follow(allowed, (u) => u.startsWith(REDIRECT_URI));
  assert.ok(back.location?.startsWith(REDIRECT_URI), `${back.status} ${back.location}`);
  const tokens = await oidc.authorizationCodeGrant(config, new URL(back.location!), { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce });
  assert.ok(tokens.claims()!.sub);
  const order = await db().selectFrom('bankid_orders').select('rp_certificate').where('client_id', '=', clientId).executeTakeFirstOrThrow();
  const active = (await t.broker.certificates.list(TENANT)).find((c) => c.state === 'active');
  assert.equal(order.rp_certificate, active?.fingerprint, 'the order went out with tenant T\'s certificate');
});

test('metadata wider than the tenant\'s policy, against Brygga\'s rules or granting admin rights is refused with the reason', async () => {
  const { token } = await issue();
  const before = await storedClients();
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ brygga_start_methods: ['qr', 'same_device'] }, /brygga_start_methods same_device is not allowed by the tenant \(allowed: qr\)/],
    [{ brygga_first_party: true }, /brygga_first_party is set by an admin only/],
    [{ brygga_admin_scopes: [`admin:tenant:${TENANT}`] }, /brygga_admin_scopes is set by an admin only/],
    [{ grant_types: ['authorization_code', 'client_credentials'] }, /grant_types client_credentials is granted by an admin only/],
    // Phone orders reach any person's BankID by personal number.
    [{ grant_types: ['authorization_code', 'urn:openid:params:grant-type:ciba'], backchannel_token_delivery_mode: 'poll' }, /grant_types urn:openid:params:grant-type:ciba is granted by an admin only/],
    [{ redirect_uris: ['http://rp.example/cb'] }, /redirect_uris\.0 must be an exact https URL/],
    [{ brygga_requirement: { pinCode: 'yes' } }, /brygga_requirement/],
  ];
  for (const [metadata, reason] of cases) {
    const refused = await register(token, { ...CLIENT, ...metadata });
    assert.equal(refused.status, 400, JSON.stringify(metadata));
    // RFC 7591 gives redirect URIs their own error code.
    assert.equal(refused.json.error, 'redirect_uris' in metadata ? 'invalid_redirect_uri' : 'invalid_client_metadata');
    assert.match(refused.json.error_description, reason);
  }
  assert.deepEqual(await storedClients(), before, 'nothing was stored');
});

test('the client reads, replaces and deletes itself with its registration access token (rotated on update)', async () => {
  const { token } = await issue();
  const created = await register(token, CLIENT);
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const { client_id: clientId, client_secret: secret, registration_client_uri: uri, registration_access_token: rat } = created.json;
  assert.equal(uri, `${t.broker.url}/reg/${clientId}`);

  const read = await send('GET', uri, rat);
  assert.equal(read.status, 200);
  assert.equal(read.json.client_name, CLIENT.client_name);
  assert.equal(read.json.client_secret, secret);
  assert.equal((await send('GET', uri, 'wrong-token')).status, 401);

  const updated = await send('PUT', uri, rat, { ...CLIENT, client_id: clientId, client_name: 'Självservice 2', brygga_login_text: 'Logga in hos T' });
  assert.equal(updated.status, 200, JSON.stringify(updated.json));
  assert.equal(updated.json.client_secret, secret, 'the secret stays');
  const rotated = updated.json.registration_access_token as string;
  assert.notEqual(rotated, rat);
  assert.equal((await send('GET', uri, rat)).status, 401, 'the old registration access token is gone');
  const stored = await call(t, 'GET', `/clients/${clientId}`, { token: BOOTSTRAP });
  assert.equal(stored.json.client_name, 'Självservice 2');
  assert.equal(stored.json.brygga_login_text, 'Logga in hos T');
  assert.equal(stored.json.tenant_id, TENANT);
  assert.equal(stored.json.has_secret, true);

  const wider = await send('PUT', uri, rotated, { ...CLIENT, client_id: clientId, brygga_start_methods: ['same_device'] });
  assert.equal(wider.status, 400);
  assert.equal(wider.json.error, 'invalid_client_metadata');
  assert.match(wider.json.error_description, /brygga_start_methods same_device is not allowed by the tenant/);
  assert.equal((await call(t, 'GET', `/clients/${clientId}`, { token: BOOTSTRAP })).json.client_name, 'Självservice 2', 'unchanged');

  assert.equal((await send('DELETE', uri, rotated)).status, 204);
  assert.equal((await call(t, 'GET', `/clients/${clientId}`, { token: BOOTSTRAP })).status, 404);
  assert.equal((await send('GET', uri, rotated)).status, 401);
});

/** When a registration access token ends, as the database keeps it (the adapter finds nothing after it); null: never. */
async function ratExpiry(rat: string): Promise<Date | null | undefined> {
  const row = await db().selectFrom('oidc_payload').select('expires_at').where('model', '=', 'RegistrationAccessToken').where('id', '=', rat).executeTakeFirst();
  return row?.expires_at;
}

/** Whether `at` is `seconds` from now, give or take the test's own run time. */
function inAbout(at: Date | null | undefined, seconds: number): boolean {
  const offset = (at?.getTime() ?? Number.NaN) - Date.now();
  return offset > (seconds - 60) * 1000 && offset <= seconds * 1000;
}

test('a registration access token expires after REGISTRATION_ACCESS_TOKEN_TTL_S; each replacement gives a new one for the whole lifetime', async () => {
  const { token } = await issue();
  const created = await register(token, CLIENT);
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const { client_id: clientId, registration_client_uri: uri, registration_access_token: rat } = created.json;
  const first = await ratExpiry(rat);
  assert.ok(inAbout(first, RAT_TTL_S), `the first token ends in ${RAT_TTL_S} s, not at ${first?.toISOString()}`);

  // Nearly used up, then replaced: the new token has the whole lifetime again, the old one is gone.
  await sql`update oidc_payload set expires_at = now() + interval '5 minutes' where model = 'RegistrationAccessToken' and id = ${rat}`.execute(db());
  const updated = await send('PUT', uri, rat, { ...CLIENT, client_id: clientId, client_name: 'Förnyad' });
  assert.equal(updated.status, 200, JSON.stringify(updated.json));
  const rotated = updated.json.registration_access_token as string;
  assert.notEqual(rotated, rat);
  assert.equal(await ratExpiry(rat), undefined, 'the old token is removed');
  assert.ok(inAbout(await ratExpiry(rotated), RAT_TTL_S), 'the new token ends a whole lifetime from now');

  // Run out: the client can no longer read, replace or delete itself, and is otherwise untouched.
  await sql`update oidc_payload set expires_at = now() - interval '1 second' where model = 'RegistrationAccessToken' and id = ${rotated}`.execute(db());
  for (const [method, body] of [['GET', undefined], ['PUT', { ...CLIENT, client_id: clientId, client_name: 'För sent' }], ['DELETE', undefined]] as const) {
    const refused = await send(method, uri, rotated, body);
    assert.equal(refused.status, 401, `${method}: ${JSON.stringify(refused.json)}`);
    assert.equal(refused.json.error, 'invalid_token');
  }
  const stored = await call(t, 'GET', `/clients/${clientId}`, { token: BOOTSTRAP });
  assert.equal(stored.status, 200, 'an admin still manages it');
  assert.equal(stored.json.client_name, 'Förnyad');
});

test('a revoked or an expired initial access token registers nothing; lists show only valid ones', async () => {
  const revoked = await issue();
  const expired = await issue();
  const listed = async () => (await call(t, 'GET', `/tenants/${TENANT}/initial-access-tokens`, { token: BOOTSTRAP })).json.items.map((i: { id: string }) => i.id) as string[];
  assert.ok((await listed()).includes(revoked.id) && (await listed()).includes(expired.id));
  const listing = await call(t, 'GET', `/tenants/${TENANT}/initial-access-tokens`, { token: BOOTSTRAP });
  assert.ok(!JSON.stringify(listing.json).includes(revoked.token), 'lists never show a token');

  assert.equal((await call(t, 'DELETE', `/tenants/${TENANT}/initial-access-tokens/${revoked.id}`, { token: BOOTSTRAP })).status, 204);
  assert.equal((await call(t, 'DELETE', `/tenants/${TENANT}/initial-access-tokens/${revoked.id}`, { token: BOOTSTRAP })).status, 404);
  // The database's clock decides expiry (the adapter filters by it): move the token's end into the past.
  await sql`update oidc_payload set expires_at = now() - interval '1 second' where model = 'InitialAccessToken' and id = ${expired.token}`.execute(db());

  const before = await storedClients();
  for (const { token } of [revoked, expired]) {
    const refused = await register(token, CLIENT);
    assert.equal(refused.status, 401, JSON.stringify(refused.json));
    assert.equal(refused.json.error, 'invalid_token');
  }
  assert.deepEqual(await storedClients(), before);
  const left = await listed();
  assert.ok(!left.includes(revoked.id) && !left.includes(expired.id), left.join(' '));
});

test('every registration, update and deletion is audited, by the initial access token\'s id, without secrets', async () => {
  const { id, token } = await issue(TENANT, { expires_in: 600 });
  const issuing = await call(t, 'GET', `/audit?object_type=initial_access_token&object_id=${id}`, { token: BOOTSTRAP });
  assert.deepEqual(issuing.json.items.map((e: any) => [e.action, e.actor, e.tenant_id]), [['create', 'bootstrap', TENANT]]);

  const created = await register(token, CLIENT);
  const { client_id: clientId, client_secret: secret, registration_client_uri: uri, registration_access_token: rat } = created.json;
  const updated = await send('PUT', uri, rat, { ...CLIENT, client_id: clientId, client_name: 'Ändrad' });
  assert.equal(updated.status, 200);
  assert.equal((await send('DELETE', uri, updated.json.registration_access_token)).status, 204);

  const trail = await call(t, 'GET', `/audit?object_type=client&object_id=${clientId}`, { token: BOOTSTRAP });
  const self = `registration_access_token:${clientId}`;
  assert.deepEqual(trail.json.items.map((e: any) => [e.action, e.actor, e.tenant_id]), [['delete', self, TENANT], ['update', self, TENANT], ['create', id, TENANT]]);
  const [deleted, changed, registered] = trail.json.items;
  assert.equal(registered.after.client_name, CLIENT.client_name);
  assert.equal(changed.after.client_name, 'Ändrad');
  assert.equal(deleted.after, null);
  assert.ok(!JSON.stringify(trail.json).includes(secret), 'no secret in the audit trail');
});

test('initial access tokens: another tenant\'s are not found, bad input is a field error', async () => {
  const created = await call(t, 'POST', '/clients', { token: BOOTSTRAP, body: { tenant_id: OTHER, grant_types: ['client_credentials'], brygga_admin_scopes: [`admin:tenant:${OTHER}`] } });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const tenantAdmin = await clientCredentialsToken(t, created.json.client_id, created.json.client_secret, `admin:tenant:${OTHER}`);
  const theirs = await issue();
  assert.equal((await call(t, 'POST', `/tenants/${TENANT}/initial-access-tokens`, { token: tenantAdmin, body: {} })).status, 404);
  assert.equal((await call(t, 'GET', `/tenants/${TENANT}/initial-access-tokens`, { token: tenantAdmin })).status, 404);
  assert.equal((await call(t, 'DELETE', `/tenants/${TENANT}/initial-access-tokens/${theirs.id}`, { token: tenantAdmin })).status, 404);
  assert.equal((await call(t, 'DELETE', `/tenants/${OTHER}/initial-access-tokens/${theirs.id}`, { token: tenantAdmin })).status, 404);
  const own = await call(t, 'POST', `/tenants/${OTHER}/initial-access-tokens`, { token: tenantAdmin, body: {} });
  assert.equal(own.status, 201);
  assert.equal(own.json.tenant_id, OTHER);
  assert.equal((await call(t, 'POST', '/tenants/nobody/initial-access-tokens', { token: BOOTSTRAP, body: {} })).status, 404);

  const bad = await call(t, 'POST', `/tenants/${TENANT}/initial-access-tokens`, { token: BOOTSTRAP, body: { expires_in: 5, extra: 1 } });
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.json.errors.map((e: { field: string }) => e.field).sort(), ['expires_in', 'extra']);
  assert.equal((await call(t, 'POST', `/tenants/${TENANT}/initial-access-tokens`, { body: {} })).status, 401);
});

test('outside a registration request nothing may write a client through the adapter', async () => {
  const writer = registeredClients({ db: db(), clients: new ClientAdminStore(new SecretBox('0'.repeat(63) + '1')), forgetClient: () => {} });
  const before = await storedClients();
  await assert.rejects(writer.save('sneaky', { client_id: 'sneaky', redirect_uris: [REDIRECT_URI] }), ClientStoreReadOnlyError);
  await assert.rejects(writer.remove(before[0]!.client_id), ClientStoreReadOnlyError);
  assert.deepEqual(await storedClients(), before);
});

test('with DYNAMIC_CLIENT_REGISTRATION off (the default) there is no registration endpoint and no token to issue', async () => {
  const off = await startAdminBroker();
  try {
    const issued = await fetch(`${off.broker.url}/admin/api/tenants/default/initial-access-tokens`, {
      method: 'POST', headers: { authorization: `Bearer ${BOOTSTRAP}`, 'content-type': 'application/json' }, body: '{}',
    });
    assert.equal(issued.status, 409);
    assert.equal(((await issued.json()) as { error: string }).error, 'registration_off');
    const discovery = await (await fetch(`${off.broker.url}/.well-known/openid-configuration`)).json() as Record<string, unknown>;
    assert.equal('registration_endpoint' in discovery, false);
    assert.equal((await fetch(`${off.broker.url}/reg`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(CLIENT) })).status, 404);
  } finally {
    await off.close();
  }
});
