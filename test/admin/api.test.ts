/**
 * The admin API over real HTTP against a started broker: who may call it, every client operation, validation as
 * field errors, the audit trail written in the change's own transaction, tenant scoping as 404, secret rotation.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { exportJWK, generateKeyPair } from 'jose';
import { sql } from 'kysely';
import * as oidc from 'openid-client';
import type { TestBroker } from '../helpers/broker.ts';
import { adminClient, BOOTSTRAP, call, clientCredentialsToken, startAdminBroker } from './support.ts';

let t: TestBroker;
let admin: { clientId: string; secret: string; token: string };
const db = () => t.broker.database.db;

before(async () => {
  t = await startAdminBroker();
  admin = await adminClient(t, ['admin']);
});
after(async () => { await t?.close(); });

const WEB_CLIENT = { client_name: 'Min kommun', redirect_uris: ['https://app.example.se/cb'] };

test('without a valid token: 401 with a Bearer challenge; the OpenAPI document is public', async () => {
  for (const token of [undefined, 'not-a-token', `${BOOTSTRAP}x`]) {
    const answer = await call(t, 'GET', '/clients', { token });
    assert.equal(answer.status, 401, String(token));
    assert.equal(answer.json.error, 'admin_unauthenticated');
    assert.match(answer.headers.get('www-authenticate')!, /^Bearer /);
  }
  assert.equal((await call(t, 'GET', '/openapi.json')).status, 200);
  assert.equal((await call(t, 'GET', '/clients', { token: BOOTSTRAP })).status, 200, 'the bootstrap token is accepted');
});

test('a token is only as good as the admin scope its client is registered for, now', async () => {
  // Registered without an admin scope: a token, but no admin rights.
  const plain = await call(t, 'POST', '/clients', { token: admin.token, body: { grant_types: ['client_credentials'] } });
  const noScope = await clientCredentialsToken(t, plain.json.client_id, plain.json.client_secret, 'admin');
  const refused = await call(t, 'GET', '/clients', { token: noScope });
  assert.equal(refused.status, 403);
  assert.equal(refused.json.error, 'admin_forbidden');

  // Admin rights taken away: the token issued before stops working at once.
  const tool = await adminClient(t, ['admin']);
  assert.equal((await call(t, 'GET', '/clients', { token: tool.token })).status, 200);
  assert.equal((await call(t, 'PATCH', `/clients/${tool.clientId}`, { token: admin.token, body: { brygga_admin_scopes: null } })).status, 200);
  assert.equal((await call(t, 'GET', '/clients', { token: tool.token })).status, 403);

  // The admin API is the only resource a token can be issued for.
  const other = await oidc.discovery(new URL(t.broker.url), tool.clientId, undefined, oidc.ClientSecretBasic(tool.secret), { execute: [oidc.allowInsecureRequests] });
  await assert.rejects(oidc.clientCredentialsGrant(other, { scope: 'admin', resource: 'https://elsewhere.example/' }), (err: { cause?: { error?: string } }) => err.cause?.error === 'invalid_target');
});

test('an expired or revoked token is refused', async () => {
  const expiring = await adminClient(t, ['admin']);
  assert.equal((await call(t, 'GET', '/audit', { token: expiring.token })).status, 200);
  // The database's clock decides expiry (the adapter filters by it): move the token's end into the past.
  await sql`update oidc_payload set expires_at = now() - interval '1 second' where model = 'ClientCredentials' and payload->>'clientId' = ${expiring.clientId}`.execute(db());
  assert.equal((await call(t, 'GET', '/audit', { token: expiring.token })).status, 401);

  const revoked = await adminClient(t, ['admin']);
  const config = await oidc.discovery(new URL(t.broker.url), revoked.clientId, undefined, oidc.ClientSecretBasic(revoked.secret), { execute: [oidc.allowInsecureRequests] });
  await oidc.tokenRevocation(config, revoked.token);
  assert.equal((await call(t, 'GET', '/audit', { token: revoked.token })).status, 401);
});

test('a client is created with every setting, read, listed, patched and deleted; its secret is shown once', async () => {
  const settings = {
    ...WEB_CLIENT,
    'client_name#en': 'My municipality',
    organization_name: 'Min kommun AB',
    logo_uri: 'https://app.example.se/logo.svg',
    client_uri: 'https://app.example.se/',
    contacts: ['it@example.se'],
    post_logout_redirect_uris: ['http://localhost:8080/bye'],
    backchannel_logout_uri: 'https://app.example.se/logout',
    scope: 'openid profile',
    subject_type: 'public',
    token_endpoint_auth_method: 'client_secret_post',
    userinfo_signed_response_alg: 'ES256',
    require_pushed_authorization_requests: true,
    grant_types: ['authorization_code', 'refresh_token'],
    brygga_first_party: true,
    brygga_start_methods: ['qr'],
    brygga_requirement: { pinCode: true },
    brygga_login_text: 'Logga in på *Min kommun*',
    'brygga_login_text#en': 'Log in to *My municipality*',
    brygga_sso_group: 'kommun',
    brygga_may_introspect: false,
  };
  const created = await call(t, 'POST', '/clients', { token: admin.token, body: { client_id: 'kommun', ...settings } });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  assert.equal(created.json.tenant_id, 'default');
  assert.ok(created.json.client_secret.length >= 43);
  for (const [key, value] of Object.entries(settings)) assert.deepEqual(created.json[key], value, key);

  const read = await call(t, 'GET', '/clients/kommun', { token: admin.token });
  assert.equal(read.json.client_secret, undefined, 'never shown again');
  assert.equal(read.json.has_secret, true);
  // The provider sees the client as stored, with its secret.
  const client = await t.broker.provider().Client.find('kommun');
  assert.equal(client?.clientSecret, created.json.client_secret);
  assert.deepEqual((client as unknown as Record<string, unknown>)['brygga_login_text#en'], settings['brygga_login_text#en']);

  assert.equal((await call(t, 'POST', '/clients', { token: admin.token, body: { client_id: 'kommun', ...WEB_CLIENT } })).status, 409);

  const patched = await call(t, 'PATCH', '/clients/kommun', { token: admin.token, body: { brygga_sso_group: null, client_name: 'Kommunen' } });
  assert.equal(patched.status, 200, JSON.stringify(patched.json));
  assert.equal(patched.json.brygga_sso_group, undefined);
  assert.equal(patched.json.client_name, 'Kommunen');
  assert.equal(patched.json.brygga_login_text, settings.brygga_login_text, 'what the patch leaves out stays');
  assert.equal((await t.broker.provider().Client.find('kommun'))?.clientName, 'Kommunen', 'this replica sees the change at once');

  const listed = await call(t, 'GET', '/clients?q=KOMMUN', { token: admin.token });
  assert.deepEqual(listed.json.items.map((c: { client_id: string }) => c.client_id), ['kommun']);

  assert.equal((await call(t, 'DELETE', '/clients/kommun', { token: admin.token })).status, 204);
  assert.equal((await call(t, 'GET', '/clients/kommun', { token: admin.token })).status, 404);
  assert.equal(await t.broker.provider().Client.find('kommun'), undefined);
});

test('a phone-order client (CIBA) is created with its delivery mode, which oidc-provider checks field by field', async () => {
  const CIBA = 'urn:openid:params:grant-type:ciba';
  const phone = { client_name: 'Kundtjänsten', grant_types: [CIBA], backchannel_token_delivery_mode: 'ping', backchannel_client_notification_endpoint: 'https://cc.example.se/ping' };
  const created = await call(t, 'POST', '/clients', { token: admin.token, body: { client_id: 'callcentre', ...phone } });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  for (const [key, value] of Object.entries(phone)) assert.deepEqual(created.json[key], value, key);
  const client = await t.broker.provider().Client.find('callcentre');
  assert.equal(client?.backchannelTokenDeliveryMode, 'ping');
  assert.ok(client?.grantTypeAllowed(CIBA));
  const cases: [Record<string, unknown>, string][] = [
    [{ grant_types: [CIBA] }, 'backchannel_token_delivery_mode'],
    [{ grant_types: [CIBA], backchannel_token_delivery_mode: 'push' }, 'backchannel_token_delivery_mode'],
    [{ grant_types: [CIBA], backchannel_token_delivery_mode: 'ping' }, 'backchannel_client_notification_endpoint'],
    [{ grant_types: [CIBA], backchannel_token_delivery_mode: 'ping', backchannel_client_notification_endpoint: 'http://cc.example.se/ping' }, 'backchannel_client_notification_endpoint'],
  ];
  for (const [body, field] of cases) {
    const answer = await call(t, 'POST', '/clients', { token: admin.token, body: { client_name: 'Kundtjänsten', ...body } });
    assert.equal(answer.status, 400, `${JSON.stringify(body)}: ${JSON.stringify(answer.json)}`);
    assert.ok(answer.json.errors.some((e: { field: string }) => e.field === field), `${JSON.stringify(body)}: ${JSON.stringify(answer.json.errors)}`);
  }
});

test('each wrong field gets its own field error, from our rules and from oidc-provider', async () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ redirect_uris: ['http://app.example.se/cb'] }, 'redirect_uris.0'],
    [{ redirect_uris: ['https://app.example.se/cb#x'] }, 'redirect_uris.0'],
    [{ redirect_uris: [] }, 'redirect_uris'],
    [{ post_logout_redirect_uris: ['ftp://x.example/'] }, 'post_logout_redirect_uris.0'],
    [{ backchannel_logout_uri: 'http://rp.example/logout' }, 'backchannel_logout_uri'],
    [{ logo_uri: 'http://app.example.se/logo.png' }, 'logo_uri'],
    [{ client_uri: 'not a url' }, 'client_uri'],
    [{ contacts: ['nobody'] }, 'contacts.0'],
    [{ client_name: '' }, 'client_name'],
    [{ 'client_name#en': 7 }, 'client_name#en'],
    [{ organization_name: '' }, 'organization_name'],
    [{ scope: 'openid admin' }, 'scope'],
    [{ subject_type: 'secret' }, 'subject_type'],
    [{ sector_identifier_uri: 'http://s.example/' }, 'sector_identifier_uri'],
    [{ token_endpoint_auth_method: 'none' }, 'token_endpoint_auth_method'],
    [{ token_endpoint_auth_method: 'private_key_jwt' }, 'jwks'],
    [{ jwks: { keys: [] } }, 'jwks.keys'],
    [{ jwks_uri: 'http://keys.example/' }, 'jwks_uri'],
    [{ userinfo_signed_response_alg: 'none' }, 'userinfo_signed_response_alg'],
    [{ require_pushed_authorization_requests: 'yes' }, 'require_pushed_authorization_requests'],
    [{ grant_types: ['implicit'] }, 'grant_types.0'],
    [{ brygga_first_party: 1 }, 'brygga_first_party'],
    [{ brygga_start_methods: ['phone'] }, 'brygga_start_methods.0'],
    [{ brygga_requirement: { risk: 'low' } }, 'brygga_requirement.risk'],
    [{ brygga_login_text: 'x'.repeat(5000) }, 'brygga_login_text'],
    [{ brygga_sso_group: 'a b' }, 'brygga_sso_group'],
    [{ brygga_may_introspect: 'no' }, 'brygga_may_introspect'],
    [{ brygga_admin_scopes: ['root'] }, 'brygga_admin_scopes.0'],
    [{ brygga_admin_scopes: ['admin:tenant:other'] }, 'brygga_admin_scopes.0'],
    [{ tenant_id: 'nobody' }, 'tenant_id'],
    [{ client_id: 'has space' }, 'client_id'],
    [{ colour: 'blue' }, 'colour'],
  ];
  for (const [change, field] of cases) {
    const answer = await call(t, 'POST', '/clients', { token: admin.token, body: { ...WEB_CLIENT, ...change } });
    assert.equal(answer.status, 400, `${JSON.stringify(change)}: ${JSON.stringify(answer.json)}`);
    assert.equal(answer.json.error, 'admin_invalid');
    assert.ok(answer.json.errors.some((e: { field: string }) => e.field === field), `${JSON.stringify(change)} → ${JSON.stringify(answer.json.errors)}`);
  }
  // The same rules on a patch, and for a body that is no JSON at all.
  await call(t, 'POST', '/clients', { token: admin.token, body: { client_id: 'patch-me', ...WEB_CLIENT } });
  const patch = await call(t, 'PATCH', '/clients/patch-me', { token: admin.token, body: { redirect_uris: ['http://x.example/cb'], client_id: 'other' } });
  assert.deepEqual(patch.json.errors.map((e: { field: string }) => e.field).sort(), ['client_id', 'redirect_uris.0']);
  const garbled = await call(t, 'POST', '/clients', { token: admin.token, rawBody: '{"client_name":' });
  assert.equal(garbled.status, 400);
  assert.equal(garbled.json.errors[0].field, '');
  const query = await call(t, 'GET', '/clients?limit=0&colour=blue', { token: admin.token });
  assert.deepEqual(query.json.errors.map((e: { field: string }) => e.field).sort(), ['colour', 'limit']);
  assert.equal((await call(t, 'GET', '/clients?cursor=!!', { token: admin.token })).status, 400);
});

test('a private_key_jwt client has no secret and authenticates with its registered key', async () => {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  const created = await call(t, 'POST', '/clients', {
    token: admin.token,
    body: { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [jwk] }, grant_types: ['client_credentials'], brygga_admin_scopes: ['admin'] },
  });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  assert.equal(created.json.client_secret, undefined);
  assert.equal(created.json.has_secret, false);
  const config = await oidc.discovery(new URL(t.broker.url), created.json.client_id, undefined, oidc.PrivateKeyJwt({ key: privateKey, kid: 'k1' }), { execute: [oidc.allowInsecureRequests] });
  const { access_token } = await oidc.clientCredentialsGrant(config, { scope: 'admin' });
  assert.equal((await call(t, 'GET', '/clients', { token: access_token })).status, 200);
  // Nothing to rotate.
  const rotate = await call(t, 'POST', `/clients/${created.json.client_id}/secret`, { token: admin.token, body: {} });
  assert.equal(rotate.status, 400);
  assert.equal(rotate.json.errors[0].field, 'token_endpoint_auth_method');
});

test('after a secret rotation the old secret works during the grace period and not after it', async () => {
  const tool = await adminClient(t, ['admin']);
  const rotated = await call(t, 'POST', `/clients/${tool.clientId}/secret`, { token: admin.token, body: { grace_seconds: 3600 } });
  assert.equal(rotated.status, 200, JSON.stringify(rotated.json));
  const newSecret = rotated.json.client_secret as string;
  assert.notEqual(newSecret, tool.secret);
  assert.ok(Date.parse(rotated.json.previous_secret_expires_at) > Date.now() + 3500_000);

  assert.ok(await clientCredentialsToken(t, tool.clientId, tool.secret, 'admin'), 'old secret, within the grace period');
  assert.ok(await clientCredentialsToken(t, tool.clientId, newSecret, 'admin'), 'new secret');
  // The grace period ends (by the database's clock, as the check reads it).
  await sql`update clients set previous_secret_expires_at = now() - interval '1 second' where client_id = ${tool.clientId}`.execute(db());
  await assert.rejects(clientCredentialsToken(t, tool.clientId, tool.secret, 'admin'), (err: { status?: number }) => err.status === 401);
  assert.ok(await clientCredentialsToken(t, tool.clientId, newSecret, 'admin'));

  const audit = await call(t, 'GET', `/audit?object_id=${tool.clientId}`, { token: admin.token });
  assert.deepEqual(audit.json.items.map((e: { action: string }) => e.action), ['rotate_secret', 'create']);
  assert.ok(!JSON.stringify(audit.json).includes(newSecret) && !JSON.stringify(audit.json).includes(tool.secret), 'no secret in the audit trail');
});

test('every change is audited with who, what, before and after; filters and pages', async () => {
  await call(t, 'POST', '/clients', { token: admin.token, body: { client_id: 'audited', ...WEB_CLIENT } });
  await call(t, 'PATCH', '/clients/audited', { token: BOOTSTRAP, body: { client_name: 'Ändrad' }, });
  await call(t, 'DELETE', '/clients/audited', { token: admin.token });
  const all = await call(t, 'GET', '/audit?object_type=client&object_id=audited', { token: admin.token });
  assert.deepEqual(all.json.items.map((e: Record<string, unknown>) => [e.action, e.actor]), [['delete', admin.clientId], ['update', 'bootstrap'], ['create', admin.clientId]]);
  const [deleted, updated, created] = all.json.items;
  assert.equal(created.before, null);
  assert.equal(created.after.client_name, 'Min kommun');
  assert.equal(updated.before.client_name, 'Min kommun');
  assert.equal(updated.after.client_name, 'Ändrad');
  assert.equal(deleted.after, null);
  assert.match(created.request_id, /^[\w.-]+$/);
  assert.equal(created.tenant_id, 'default');

  const byActor = await call(t, 'GET', '/audit?actor=bootstrap&object_id=audited', { token: admin.token });
  assert.deepEqual(byActor.json.items.map((e: { action: string }) => e.action), ['update']);
  const future = await call(t, 'GET', `/audit?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`, { token: admin.token });
  assert.deepEqual(future.json.items, []);
  const past = await call(t, 'GET', `/audit?object_id=audited&to=${encodeURIComponent(created.at)}`, { token: admin.token });
  assert.deepEqual(past.json.items, [], '`to` is exclusive');

  const first = await call(t, 'GET', '/audit?object_id=audited&limit=2', { token: admin.token });
  assert.equal(first.json.items.length, 2);
  const second = await call(t, 'GET', `/audit?object_id=audited&limit=2&cursor=${first.json.next_cursor}`, { token: admin.token });
  assert.deepEqual(second.json.items.map((e: { action: string }) => e.action), ['create']);
  assert.equal(second.json.next_cursor, null);
});

test('a change that fails writes nothing: no client and no audit row', async () => {
  // The audit insert fails inside the transaction, after the client row was written.
  await sql`create function refuse_boom() returns trigger language plpgsql as $$ begin
    if new.object_id = 'boom' then raise exception 'audit refused'; end if; return new; end $$`.execute(db());
  await sql`create trigger refuse_boom before insert on admin_audit for each row execute function refuse_boom()`.execute(db());
  try {
    const answer = await call(t, 'POST', '/clients', { token: admin.token, body: { client_id: 'boom', ...WEB_CLIENT } });
    assert.equal(answer.status, 500);
    assert.equal(answer.json.error, 'internal');
    assert.doesNotMatch(JSON.stringify(answer.json), /audit refused/);
  } finally {
    await sql`drop trigger refuse_boom on admin_audit`.execute(db());
  }
  assert.equal((await call(t, 'GET', '/clients/boom', { token: admin.token })).status, 404);
  const rows = await db().selectFrom('admin_audit').select('id').where('object_id', '=', 'boom').execute();
  assert.deepEqual(rows, []);
});

test('a tenant admin sees only its tenant: another tenant\'s client is 404, missing from lists and the audit trail', async () => {
  await call(t, 'POST', '/clients', { token: admin.token, body: { client_id: 'default-client', ...WEB_CLIENT } });
  await t.broker.tenants.create({ id: 'other', name: { sv: 'Annan kommun', en: 'Other municipality' }, bankidEnvironment: 'simulator' });
  await t.broker.clients.save({ client_id: 'other-admin', client_secret: 'other-admin-secret-0123456789abcdef', grant_types: ['client_credentials'], response_types: [], redirect_uris: [], brygga_admin_scopes: ['admin:tenant:other'] }, 'other');
  const other = await clientCredentialsToken(t, 'other-admin', 'other-admin-secret-0123456789abcdef', 'admin:tenant:other admin');

  for (const [method, path, body] of [['GET', '/clients/default-client'], ['PATCH', '/clients/default-client', { client_name: 'x' }], ['DELETE', '/clients/default-client'], ['POST', '/clients/default-client/secret', {}]] as const) {
    const answer = await call(t, method, path, { token: other, body });
    assert.equal(answer.status, 404, `${method} ${path}`);
    assert.equal(answer.json.error, 'admin_not_found');
  }
  const listed = await call(t, 'GET', '/clients', { token: other });
  assert.deepEqual(listed.json.items.map((c: { client_id: string }) => c.client_id), ['other-admin']);
  const filtered = await call(t, 'GET', '/clients?tenant_id=default', { token: other });
  assert.deepEqual(filtered.json.items, []);
  const audit = await call(t, 'GET', '/audit', { token: other });
  assert.deepEqual(audit.json.items, []);
  assert.equal((await call(t, 'GET', '/clients/default-client', { token: admin.token })).status, 200, 'still there');

  // A tenant admin of the default tenant works there, but cannot hand out full admin rights.
  const tenantAdmin = await adminClient(t, ['admin:tenant:default']);
  assert.equal((await call(t, 'GET', '/clients/default-client', { token: tenantAdmin.token })).status, 200);
  assert.equal((await call(t, 'GET', '/clients/other-admin', { token: tenantAdmin.token })).status, 404);
  const escalate = await call(t, 'PATCH', '/clients/default-client', { token: tenantAdmin.token, body: { grant_types: ['client_credentials'], redirect_uris: null, brygga_admin_scopes: ['admin'] } });
  assert.equal(escalate.status, 400);
  assert.equal(escalate.json.errors[0].field, 'brygga_admin_scopes.0');
});

test('a patch removes one part of the BankID requirement with null and keeps the others; the last part removed, none is left', async () => {
  const created = await call(t, 'POST', '/clients', { token: admin.token, body: { ...WEB_CLIENT, brygga_requirement: { pinCode: true, mrtd: true, cardReader: 'class1' } } });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const id = created.json.client_id as string;
  const patch = (requirement: unknown) => call(t, 'PATCH', `/clients/${id}`, { token: admin.token, body: { brygga_requirement: requirement } });

  const one = await patch({ mrtd: null, certificatePolicies: ['1.2.752.78.1.5'] });
  assert.equal(one.status, 200, JSON.stringify(one.json));
  assert.deepEqual(one.json.brygga_requirement, { pinCode: true, cardReader: 'class1', certificatePolicies: ['1.2.752.78.1.5'] });
  const audit = await call(t, 'GET', `/audit?object_type=client&object_id=${id}`, { token: admin.token });
  assert.deepEqual(audit.json.items[0].after.brygga_requirement, one.json.brygga_requirement);

  const wrong = await patch({ pinCode: null, cardReader: 'class9' });
  assert.equal(wrong.status, 400);
  assert.deepEqual(wrong.json.errors.map((e: { field: string }) => e.field), ['brygga_requirement.cardReader']);
  assert.deepEqual((await call(t, 'GET', `/clients/${id}`, { token: admin.token })).json.brygga_requirement.pinCode, true, 'nothing changed');

  const last = await patch({ pinCode: null, cardReader: null, certificatePolicies: null });
  assert.equal(last.status, 200, JSON.stringify(last.json));
  assert.equal('brygga_requirement' in last.json, false, JSON.stringify(last.json.brygga_requirement));
  // A create takes no null: there is nothing to remove.
  const nullOnCreate = await call(t, 'POST', '/clients', { token: admin.token, body: { ...WEB_CLIENT, brygga_requirement: { pinCode: null } } });
  assert.deepEqual(nullOnCreate.json.errors.map((e: { field: string }) => e.field), ['brygga_requirement.pinCode']);
});

test('only a broker admin grants admin scopes or introspection; a tenant admin keeps or drops what a client holds, and adds nothing', async () => {
  const tenantAdmin = await adminClient(t, ['admin:tenant:default']);
  const refusals: [string, Record<string, unknown>, string][] = [
    ['POST', { ...WEB_CLIENT, grant_types: ['authorization_code', 'client_credentials'], brygga_admin_scopes: ['admin:tenant:default'] }, 'brygga_admin_scopes.0'],
    ['POST', { ...WEB_CLIENT, grant_types: ['authorization_code', 'client_credentials'], brygga_admin_scopes: ['admin:tenant:default:read'] }, 'brygga_admin_scopes.0'],
    ['POST', { ...WEB_CLIENT, brygga_may_introspect: true }, 'brygga_may_introspect'],
  ];
  for (const [method, body, field] of refusals) {
    const answer = await call(t, method, '/clients', { token: tenantAdmin.token, body });
    assert.equal(answer.status, 400, JSON.stringify(body));
    assert.deepEqual(answer.json.errors.map((e: { field: string }) => e.field), [field]);
    assert.match(answer.json.errors[0].message, /only a broker admin/);
  }
  // Its own token's client: it cannot widen it to read-only everything, nor add its own tenant's read scope.
  const widen = await call(t, 'PATCH', `/clients/${tenantAdmin.clientId}`, { token: tenantAdmin.token, body: { brygga_admin_scopes: ['admin:tenant:default', 'admin:tenant:default:read'] } });
  assert.equal(widen.status, 400);
  assert.deepEqual(widen.json.errors.map((e: { field: string }) => e.field), ['brygga_admin_scopes.1']);

  // Granted by a broker admin, a tenant admin may change the client's other settings and keep the scope, or drop it.
  const tool = await call(t, 'POST', '/clients', { token: admin.token, body: { grant_types: ['client_credentials'], brygga_admin_scopes: ['admin:tenant:default:read'], brygga_may_introspect: true } });
  assert.equal(tool.status, 201, JSON.stringify(tool.json));
  const kept = await call(t, 'PATCH', `/clients/${tool.json.client_id}`, { token: tenantAdmin.token, body: { client_name: 'Granskning' } });
  assert.equal(kept.status, 200, JSON.stringify(kept.json));
  assert.deepEqual([kept.json.brygga_admin_scopes, kept.json.brygga_may_introspect], [['admin:tenant:default:read'], true]);
  const dropped = await call(t, 'PATCH', `/clients/${tool.json.client_id}`, { token: tenantAdmin.token, body: { brygga_admin_scopes: null, brygga_may_introspect: null } });
  assert.equal(dropped.status, 200, JSON.stringify(dropped.json));
  assert.deepEqual([dropped.json.brygga_admin_scopes, dropped.json.brygga_may_introspect], [undefined, undefined]);
  const regrant = await call(t, 'PATCH', `/clients/${tool.json.client_id}`, { token: tenantAdmin.token, body: { brygga_admin_scopes: ['admin:tenant:default:read'] } });
  assert.equal(regrant.status, 400, 'once dropped, only a broker admin gives it back');
});

test('a JWK Set is checked by oidc-provider: a private or symmetric key is a field error on jwks', async () => {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const cases = [{ keys: [{ ...(await exportJWK(privateKey)), kid: 'private' }] }, { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] }];
  for (const jwks of cases) {
    const answer = await call(t, 'POST', '/clients', { token: admin.token, body: { ...WEB_CLIENT, token_endpoint_auth_method: 'private_key_jwt', jwks } });
    assert.equal(answer.status, 400, JSON.stringify(answer.json));
    assert.deepEqual(answer.json.errors.map((e: { field: string }) => e.field), ['jwks']);
    assert.match(answer.json.errors[0].message, /JSON Web Key Set is invalid: jwks\.keys\[0\]/);
  }
});

test('lists are paged with a cursor in client id order', async () => {
  for (const id of ['page-a', 'page-b', 'page-c']) await call(t, 'POST', '/clients', { token: admin.token, body: { client_id: id, ...WEB_CLIENT } });
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const answer: { json: { items: { client_id: string }[]; next_cursor: string | null } } = await call(t, 'GET', `/clients?q=page-&limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: admin.token });
    seen.push(...answer.json.items.map((c) => c.client_id));
    cursor = answer.json.next_cursor;
  } while (cursor);
  assert.deepEqual(seen, ['page-a', 'page-b', 'page-c']);
});
