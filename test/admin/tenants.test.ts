/**
 * Tenants and their BankID RP certificates through the admin API over real HTTP, against a broker whose BankID is
 * the simulator over mTLS: every operation, who may call it (no token, a tenant admin, another tenant's object as
 * 404), validation field by field, a certificate the simulator refuses, and the audit row of each change.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TestBroker } from '../helpers/broker.ts';
import { until } from '../helpers/until.ts';
import { adminClient, BOOTSTRAP, call, createTenant, fieldsOf, startAdminBroker } from './support.ts';

let t: TestBroker;
let admin: string;

before(async () => {
  t = await startAdminBroker();
  admin = (await adminClient(t, ['admin'])).token;
});
after(async () => { await t?.close(); });

const upload = (tenant: string, pkcs12: Buffer, token = admin, passphrase = t.simulator.rpP12Passphrase) =>
  call(t, 'POST', `/tenants/${tenant}/certificates`, { token, body: { pkcs12: pkcs12.toString('base64'), passphrase } });
const auditOf = async (objectId: string) => (await call(t, 'GET', `/audit?object_id=${objectId}`, { token: admin })).json.items as Record<string, any>[];

test('without a valid token every tenant and certificate operation is 401', async () => {
  for (const [method, path] of [['GET', '/tenants'], ['POST', '/tenants'], ['GET', '/tenants/default'], ['PATCH', '/tenants/default'], ['DELETE', '/tenants/default'],
    ['GET', '/tenants/default/certificates'], ['POST', '/tenants/default/certificates'], ['POST', '/tenants/default/certificates/rollback'],
    ['GET', '/tenants/default/certificates/ab'], ['POST', '/tenants/default/certificates/ab/activate'], ['DELETE', '/tenants/default/certificates/ab']] as const) {
    const answer = await call(t, method, path, { token: 'not-a-token', body: method === 'GET' || method === 'DELETE' ? undefined : {} });
    assert.equal(answer.status, 401, `${method} ${path}`);
    assert.equal(answer.json.error, 'admin_unauthenticated');
  }
});

test('a tenant is created, read, listed, merge-patched and deleted, each change audited', async () => {
  const body = {
    id: 'kommun-a',
    name: { sv: 'Kommun A', en: 'Municipality A' },
    organisation_number: '2120001355',
    contacts: [{ name: 'IT', email: 'it@kommun-a.se', phone: '+46 8 123 45' }],
    bankid_environment: 'simulator',
    policy: { startMethods: ['qr'], requirement: { pinCode: true }, acr: 'http://id.elegnamnden.se/loa/1.0/loa3' },
  };
  const created = await call(t, 'POST', '/tenants', { token: admin, body });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  assert.equal(created.json.organisation_number, '212000-1355', 'normalised');
  assert.deepEqual(created.json.policy, body.policy);
  assert.deepEqual((await call(t, 'GET', '/tenants/kommun-a', { token: admin })).json, created.json);
  assert.equal((await call(t, 'POST', '/tenants', { token: admin, body })).status, 400, 'the id is taken');

  const patched = await call(t, 'PATCH', '/tenants/kommun-a', { token: admin, body: { name: { en: 'Municipality of A' }, policy: { acr: null, ssoGroups: ['kommun'] }, contacts: null } });
  assert.equal(patched.status, 200, JSON.stringify(patched.json));
  assert.deepEqual(patched.json.name, { sv: 'Kommun A', en: 'Municipality of A' }, 'name is patched field by field');
  assert.deepEqual(patched.json.policy, { startMethods: ['qr'], requirement: { pinCode: true }, ssoGroups: ['kommun'] });
  assert.deepEqual(patched.json.contacts, []);

  await createTenant(t, 'kommun-b');
  const found = await call(t, 'GET', '/tenants?q=MUNICIPALITY%20OF', { token: admin });
  assert.deepEqual(found.json.items.map((x: { id: string }) => x.id), ['kommun-a']);
  const first = await call(t, 'GET', '/tenants?q=kommun-&limit=1', { token: admin });
  const second = await call(t, 'GET', `/tenants?q=kommun-&limit=1&cursor=${first.json.next_cursor}`, { token: admin });
  assert.deepEqual([...first.json.items, ...second.json.items].map((x: { id: string }) => x.id), ['kommun-a', 'kommun-b']);
  assert.equal(second.json.next_cursor, null);

  assert.equal((await call(t, 'DELETE', '/tenants/kommun-a', { token: admin })).status, 204);
  assert.equal((await call(t, 'GET', '/tenants/kommun-a', { token: admin })).status, 404);
  const audit = await auditOf('kommun-a');
  assert.deepEqual(audit.map((e) => [e.action, e.object_type, e.tenant_id]), [['delete', 'tenant', 'kommun-a'], ['update', 'tenant', 'kommun-a'], ['create', 'tenant', 'kommun-a']]);
  assert.equal(audit[1]!.before.name.en, 'Municipality A');
  assert.equal(audit[1]!.after.name.en, 'Municipality of A');
  assert.equal(audit[0]!.after, null);
});

test('each wrong tenant field gets its own field error; nothing is written', async () => {
  const valid = { id: 'fields', name: { sv: 'S', en: 'E' }, bankid_environment: 'simulator' };
  const cases: [Record<string, unknown>, string][] = [
    [{ id: 'Has Space' }, 'id'],
    [{ name: { sv: '', en: 'E' } }, 'name.sv'],
    [{ name: { sv: 'S' } }, 'name.en'],
    [{ organisation_number: '212000-1356' }, 'organisation_number'],
    [{ organisation_number: '12345' }, 'organisation_number'],
    [{ contacts: [{ email: 'nobody' }] }, 'contacts.0.email'],
    [{ contacts: [{ colour: 'blue' }] }, 'contacts.0.colour'],
    [{ bankid_environment: undefined }, 'bankid_environment'],
    [{ bankid_environment: 'staging' }, 'bankid_environment'],
    [{ policy: { startMethods: ['phone'] } }, 'policy.startMethods'],
    [{ policy: { startsPerClientPerMinute: 0 } }, 'policy.startsPerClientPerMinute'],
    [{ policy: { acr: 'loa9' } }, 'policy.acr'],
    [{ policy: { colour: 'blue' } }, 'policy.colour'],
    [{ colour: 'blue' }, 'colour'],
  ];
  for (const [change, field] of cases) {
    const answer = await call(t, 'POST', '/tenants', { token: admin, body: { ...valid, ...change } });
    assert.equal(answer.status, 400, `${JSON.stringify(change)}: ${JSON.stringify(answer.json)}`);
    assert.equal(answer.json.error, 'admin_invalid');
    assert.ok(fieldsOf(answer).includes(field), `${JSON.stringify(change)} → ${JSON.stringify(answer.json.errors)}`);
  }
  assert.equal((await call(t, 'GET', '/tenants/fields', { token: admin })).status, 404);
  const patch = await call(t, 'PATCH', '/tenants/default', { token: admin, body: { organisation_number: 'x', policy: { ssoGroups: 'all' }, id: 'other' } });
  assert.deepEqual(fieldsOf(patch), ['id']);
  const semantic = await call(t, 'PATCH', '/tenants/default', { token: admin, body: { organisation_number: 'x', policy: { ssoGroups: 'all' } } });
  assert.deepEqual(fieldsOf(semantic), ['organisation_number', 'policy.ssoGroups']);
});

test('a tenant admin reads and changes its own tenant only; creating and deleting tenants needs "admin"', async () => {
  await createTenant(t, 'own');
  await createTenant(t, 'foreign');
  const ownClient = await adminClient(t, ['admin:tenant:own'], 'own');
  const own = ownClient.token;

  assert.deepEqual((await call(t, 'GET', '/tenants', { token: own })).json.items.map((x: { id: string }) => x.id), ['own']);
  assert.equal((await call(t, 'GET', '/tenants/own', { token: own })).status, 200);
  const changed = await call(t, 'PATCH', '/tenants/own', { token: own, body: { policy: { startMethods: ['qr'] } } });
  assert.equal(changed.status, 200, JSON.stringify(changed.json));
  assert.deepEqual((await auditOf('own')).map((e) => [e.action, e.actor]), [['update', ownClient.clientId], ['create', 'bootstrap']]);

  for (const [method, path, body] of [['GET', '/tenants/foreign'], ['PATCH', '/tenants/foreign', { name: { sv: 'x' } }], ['DELETE', '/tenants/foreign'],
    ['GET', '/tenants/foreign/certificates'], ['POST', '/tenants/foreign/certificates/rollback', {}]] as const) {
    const answer = await call(t, method, path, { token: own, body });
    assert.equal(answer.status, 404, `${method} ${path}`);
    assert.equal(answer.json.error, 'admin_not_found');
  }
  const create = await call(t, 'POST', '/tenants', { token: own, body: { id: 'mine-too', name: { sv: 'S', en: 'E' }, bankid_environment: 'simulator' } });
  assert.equal(create.status, 403);
  assert.equal(create.json.error, 'admin_forbidden');
  assert.match(create.json.message, /"admin"/);
  assert.equal((await call(t, 'DELETE', '/tenants/own', { token: own })).status, 403);
  assert.equal((await call(t, 'GET', '/tenants/foreign', { token: admin })).status, 200, 'untouched');
  assert.equal((await call(t, 'GET', '/tenants/own', { token: admin })).status, 200, 'untouched');
});

test('a tenant with clients or an active certificate is not deleted; the default tenant never', async () => {
  await createTenant(t, 'busy');
  const client = await call(t, 'POST', '/clients', { token: admin, body: { tenant_id: 'busy', redirect_uris: ['https://busy.example/cb'] } });
  const refused = await call(t, 'DELETE', '/tenants/busy', { token: admin });
  assert.equal(refused.status, 409);
  assert.equal(refused.json.error, 'admin_conflict');
  assert.match(refused.json.message, /busy har kvar 1 klient\(er\)/, 'in Swedish, the default language');
  await call(t, 'DELETE', `/clients/${client.json.client_id}`, { token: admin });

  const issued = t.simulator.issueRpCertificate({ displayName: 'Busy' });
  assert.equal((await upload('busy', issued.pkcs12)).status, 201);
  assert.equal((await call(t, 'POST', `/tenants/busy/certificates/${issued.fingerprint}/activate`, { token: admin })).status, 200);
  const withCertificate = await call(t, 'DELETE', '/tenants/busy', { token: admin });
  assert.equal(withCertificate.status, 409);
  assert.match(withCertificate.json.message, /har kvar ett aktivt certifikat/);
  assert.doesNotMatch(withCertificate.json.message, /klient/);

  const defaultTenant = await call(t, 'DELETE', '/tenants/default', { token: admin });
  assert.equal(defaultTenant.status, 409);
  assert.match(defaultTenant.json.message, /Standardorganisationen kan inte tas bort/);
});

test('certificates: upload (checked with BankID) → staged → activate → next one → rollback → remove; never key material; audited', async () => {
  await createTenant(t, 'certs');
  const [first, second] = [t.simulator.issueRpCertificate({ displayName: 'Certs 1' }), t.simulator.issueRpCertificate({ displayName: 'Certs 2' })];
  const staged = await upload('certs', first.pkcs12);
  assert.equal(staged.status, 201, JSON.stringify(staged.json));
  assert.equal(staged.json.fingerprint, first.fingerprint);
  assert.equal(staged.json.state, 'staged');
  assert.equal(staged.json.tenant_id, 'certs');
  assert.match(staged.json.subject, /Certs 1/);
  assert.match(staged.json.issuer, /RP CA/);
  assert.match(staged.json.serial_number, /^[0-9a-f]+$/i);
  assert.ok(staged.json.days_left > 300);
  assert.equal(staged.json.expiry_warning, null);
  assert.doesNotMatch(JSON.stringify(staged.json), /PRIVATE KEY|key_pem|sealed|passphrase/i);
  assert.equal((await upload('certs', first.pkcs12)).status, 409, 'stored already');

  assert.equal((await call(t, 'POST', `/tenants/certs/certificates/${first.fingerprint}/activate`, { token: admin })).json.state, 'active');
  await upload('certs', second.pkcs12);
  assert.equal((await call(t, 'POST', `/tenants/certs/certificates/${second.fingerprint}/activate`, { token: admin })).json.state, 'active');
  const listed = await call(t, 'GET', '/tenants/certs/certificates', { token: admin });
  assert.deepEqual(listed.json.items.map((c: Record<string, string>) => [c.fingerprint, c.state]), [[second.fingerprint, 'active'], [first.fingerprint, 'retired']]);
  assert.equal((await call(t, 'GET', `/tenants/certs/certificates/${first.fingerprint}`, { token: admin })).json.state, 'retired');

  const back = await call(t, 'POST', '/tenants/certs/certificates/rollback', { token: admin, body: {} });
  assert.equal(back.status, 200, JSON.stringify(back.json));
  assert.equal(back.json.fingerprint, first.fingerprint);
  const removeActive = await call(t, 'DELETE', `/tenants/certs/certificates/${first.fingerprint}`, { token: admin });
  assert.equal(removeActive.status, 409);
  assert.equal(removeActive.json.error, 'certificate_state');
  assert.equal((await call(t, 'DELETE', `/tenants/certs/certificates/${second.fingerprint}`, { token: admin })).status, 204);
  assert.equal((await call(t, 'GET', `/tenants/certs/certificates/${second.fingerprint}`, { token: admin })).status, 404);

  const firstAudit = await auditOf(first.fingerprint);
  assert.deepEqual(firstAudit.map((e) => [e.action, e.object_type, e.tenant_id]), [['rollback', 'certificate', 'certs'], ['activate', 'certificate', 'certs'], ['create', 'certificate', 'certs']]);
  assert.deepEqual([firstAudit[1]!.before.state, firstAudit[1]!.after.state], ['staged', 'active']);
  assert.deepEqual((await auditOf(second.fingerprint)).map((e) => e.action), ['delete', 'activate', 'create']);
  const trail = JSON.stringify([...firstAudit, ...await auditOf(second.fingerprint)]);
  assert.doesNotMatch(trail, /PRIVATE KEY|pkcs12|passphrase/i);
  assert.ok(!trail.includes(t.simulator.rpP12Passphrase) && !trail.includes(first.pkcs12.toString('base64').slice(0, 40)), 'no secret in the audit trail');
});

test('an upload BankID or the checks refuse is a 400 naming the field and the reason; nothing is stored', async () => {
  await createTenant(t, 'refused');
  const unregistered = t.simulator.issueRpCertificate({ displayName: 'Unregistered' });
  assert.equal((await t.sim.post(`/sim/rp-certificates/${unregistered.fingerprint}`, { status: 'unregistered' })).status, 200);
  const refused = await upload('refused', unregistered.pkcs12);
  assert.equal(refused.status, 400, JSON.stringify(refused.json));
  assert.equal(refused.json.error, 'admin_invalid');
  assert.deepEqual(fieldsOf(refused), ['pkcs12']);
  assert.match(refused.json.errors[0].message, /does not accept this certificate.*not registered.*\(refused-by-bankid\)/);

  const wrongPassphrase = await upload('refused', t.simulator.issueRpCertificate({ displayName: 'Pw' }).pkcs12, admin, 'not-the-passphrase');
  assert.deepEqual(fieldsOf(wrongPassphrase), ['passphrase']);
  assert.match(wrongPassphrase.json.errors[0].message, /wrong-passphrase/);
  const notBase64 = await call(t, 'POST', '/tenants/refused/certificates', { token: admin, body: { pkcs12: '***', passphrase: 'x', extra: 1 } });
  assert.deepEqual(fieldsOf(notBase64), ['extra', 'pkcs12']);
  assert.deepEqual((await call(t, 'GET', '/tenants/refused/certificates', { token: admin })).json.items, []);
  assert.deepEqual(await auditOf(unregistered.fingerprint), []);
});

test('a tenant admin\'s certificates: another tenant\'s are 404 even under its own path; read-only access cannot upload', async () => {
  await createTenant(t, 'mine');
  await createTenant(t, 'theirs');
  const mine = (await adminClient(t, ['admin:tenant:mine'], 'mine')).token;
  const reader = (await adminClient(t, ['admin:tenant:mine:read'], 'mine')).token;
  const theirs = t.simulator.issueRpCertificate({ displayName: 'Theirs' });
  await upload('theirs', theirs.pkcs12);

  assert.equal((await call(t, 'GET', `/tenants/theirs/certificates/${theirs.fingerprint}`, { token: mine })).status, 404);
  assert.equal((await call(t, 'GET', `/tenants/mine/certificates/${theirs.fingerprint}`, { token: mine })).status, 404, 'not under another tenant\'s path');
  assert.equal((await call(t, 'POST', `/tenants/mine/certificates/${theirs.fingerprint}/activate`, { token: mine })).status, 404);
  assert.equal((await call(t, 'DELETE', `/tenants/mine/certificates/${theirs.fingerprint}`, { token: admin })).status, 404);
  assert.equal((await upload('theirs', t.simulator.issueRpCertificate({ displayName: 'X' }).pkcs12, mine)).status, 404);

  const own = t.simulator.issueRpCertificate({ displayName: 'Mine' });
  assert.equal((await upload('mine', own.pkcs12, mine)).status, 201);
  assert.equal((await call(t, 'GET', `/tenants/mine/certificates/${own.fingerprint}`, { token: reader })).status, 200, 'read-only reads');
  const readOnly = await upload('mine', t.simulator.issueRpCertificate({ displayName: 'Ro' }).pkcs12, reader);
  assert.equal(readOnly.status, 403);
  assert.equal(readOnly.json.error, 'admin_read_only');
  assert.equal((await call(t, 'POST', `/tenants/mine/certificates/${own.fingerprint}/activate`, { token: reader })).status, 403);
  assert.equal((await call(t, 'GET', `/tenants/mine/certificates/${own.fingerprint}`, { token: BOOTSTRAP })).json.state, 'staged', 'unchanged');
});

test('a client the admin API would put beyond its tenant\'s policy is refused, field by field; within it, it is saved', async () => {
  await createTenant(t, 'strict', { policy: { startMethods: ['qr'], ssoGroups: ['kommun'] } });
  const wide = await call(t, 'POST', '/clients', { token: admin, body: { tenant_id: 'strict', redirect_uris: ['https://strict.example/cb'], brygga_start_methods: ['qr', 'same_device'], brygga_sso_group: 'other' } });
  assert.equal(wide.status, 400, JSON.stringify(wide.json));
  assert.deepEqual(fieldsOf(wide), ['brygga_sso_group', 'brygga_start_methods']);
  assert.match(wide.json.errors.find((e: { field: string }) => e.field === 'brygga_start_methods').message, /same_device is not allowed by the tenant/);
  const narrow = await call(t, 'POST', '/clients', { token: admin, body: { tenant_id: 'strict', redirect_uris: ['https://strict.example/cb'], brygga_start_methods: ['qr'] } });
  assert.equal(narrow.status, 201, JSON.stringify(narrow.json));
  const widened = await call(t, 'PATCH', `/clients/${narrow.json.client_id}`, { token: admin, body: { brygga_start_methods: ['same_device'] } });
  assert.equal(widened.status, 400);
  assert.deepEqual(fieldsOf(widened), ['brygga_start_methods']);
  assert.deepEqual((await call(t, 'GET', `/clients/${narrow.json.client_id}`, { token: admin })).json.brygga_start_methods, ['qr'], 'nothing changed');
});

test('a client changed through the admin API is dropped at once from every replica\'s cache, not after its cache time', async () => {
  const replica = await t.replica();
  const created = await call(t, 'POST', '/clients', { token: admin, body: { redirect_uris: ['https://cached.example/cb'] } });
  const clientId = String(created.json.client_id);
  for (const broker of [t.broker, replica]) assert.ok(await broker.clients.find(clientId), 'both replicas look the client up');
  assert.ok(replica.clients.cached(clientId));
  assert.equal((await call(t, 'PATCH', `/clients/${clientId}`, { token: admin, body: { client_name: 'Renamed' } })).status, 200);
  // The cache keeps a lookup for seconds; only the change's notification drops it this soon.
  await until(async () => replica.clients.cached(clientId), (held) => !held, 'the change reached the other replica', 40, 50);
  assert.equal((await replica.clients.find(clientId))?.client_name, 'Renamed');
});
