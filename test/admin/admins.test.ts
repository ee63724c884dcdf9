/**
 * Console admins through the admin API (personal numbers kept only as a keyed hash, never shown), who may manage
 * which, and the read-only scopes `admin:read` and `admin:tenant:<id>:read` across every resource.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { derivedKey, resolveSecrets } from '../../src/config/secrets.ts';
import { ADMIN_PERSONAL_NUMBER_KEY, AdminStore } from '../../src/storage/admins.ts';
import type { TestBroker } from '../helpers/broker.ts';
import { adminClient, call, clientCredentialsToken, createTenant, fieldsOf, startAdminBroker } from './support.ts';

const PERSON = '199001012385';
const OTHER_PERSON = '198512311237';
const THIRD_PERSON = '200002294569';

let t: TestBroker;
let admin: string;
const db = () => t.broker.database.db;

before(async () => {
  t = await startAdminBroker();
  admin = (await adminClient(t, ['admin'])).token;
  await createTenant(t, 'town');
  await createTenant(t, 'city');
});
after(async () => { await t?.close(); });

test('an admin is created, read, listed, changed and removed; the personal number is never shown or stored in clear', async () => {
  const created = await call(t, 'POST', '/admins', { token: admin, body: { personal_number: PERSON, display_name: 'Anna Admin', role: 'broker_admin' } });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  assert.deepEqual(Object.keys(created.json).sort(), ['created_at', 'display_name', 'id', 'role', 'tenant_id', 'updated_at']);
  assert.equal(created.json.tenant_id, null);
  const id = created.json.id as string;
  assert.ok(!id.includes('2385'), 'the id is not derived from the number');

  // At rest: a keyed hash, nothing in clear; the console's lookup finds the person by number.
  const rows = await db().selectFrom('admins').selectAll().execute();
  assert.ok(!JSON.stringify(rows).includes(PERSON) && !JSON.stringify(rows).includes('2385'));
  const store = new AdminStore(derivedKey(resolveSecrets(t.broker.config), ADMIN_PERSONAL_NUMBER_KEY));
  assert.deepEqual((await store.findByPersonalNumber(db(), PERSON)).map((a) => [a.id, a.role]), [[id, 'broker_admin']]);
  assert.deepEqual(await store.findByPersonalNumber(db(), OTHER_PERSON), []);

  const again = await call(t, 'POST', '/admins', { token: admin, body: { personal_number: PERSON, display_name: 'Anna', role: 'broker_admin' } });
  assert.equal(again.status, 409);
  // The same person may hold a role in a tenant as well.
  const inTown = await call(t, 'POST', '/admins', { token: admin, body: { personal_number: PERSON, display_name: 'Anna', role: 'tenant_auditor', tenant_id: 'town' } });
  assert.equal(inTown.status, 201);
  assert.equal((await store.findByPersonalNumber(db(), PERSON)).length, 2);

  const renamed = await call(t, 'PATCH', `/admins/${id}`, { token: admin, body: { display_name: 'Anna Andersson' } });
  assert.equal(renamed.json.display_name, 'Anna Andersson');
  const demoted = await call(t, 'PATCH', `/admins/${id}`, { token: admin, body: { role: 'tenant_admin', tenant_id: 'city' } });
  assert.equal(demoted.status, 200, JSON.stringify(demoted.json));
  assert.deepEqual([demoted.json.role, demoted.json.tenant_id, demoted.json.display_name], ['tenant_admin', 'city', 'Anna Andersson']);
  assert.equal((await call(t, 'PATCH', `/admins/${inTown.json.id}`, { token: admin, body: { tenant_id: 'city' } })).status, 409, 'already an admin of city');

  const listed = await call(t, 'GET', `/admins?q=ANDERSSON`, { token: admin });
  assert.deepEqual(listed.json.items.map((a: { id: string }) => a.id), [id]);
  assert.deepEqual((await call(t, 'GET', '/admins?role=tenant_auditor&tenant_id=town', { token: admin })).json.items.map((a: { id: string }) => a.id), [inTown.json.id]);
  assert.ok(!JSON.stringify(listed.json).includes(PERSON));

  assert.equal((await call(t, 'DELETE', `/admins/${id}`, { token: admin })).status, 204);
  assert.equal((await call(t, 'GET', `/admins/${id}`, { token: admin })).status, 404);
  const audit = (await call(t, 'GET', `/audit?object_type=admin&object_id=${id}`, { token: admin })).json.items as Record<string, any>[];
  assert.deepEqual(audit.map((e) => [e.action, e.tenant_id]), [['delete', 'city'], ['update', null], ['update', null], ['create', null]]);
  assert.deepEqual([audit[1]!.before.role, audit[1]!.after.role], ['broker_admin', 'tenant_admin']);
  assert.ok(!JSON.stringify(audit).includes(PERSON), 'no personal number in the audit trail');
});

test('each wrong admin field gets its own field error', async () => {
  const valid = { personal_number: OTHER_PERSON, display_name: 'Bo', role: 'tenant_admin', tenant_id: 'town' };
  const cases: [Record<string, unknown>, string][] = [
    [{ personal_number: '199001012380' }, 'personal_number'],
    [{ personal_number: '19900101238' }, 'personal_number'],
    [{ personal_number: '19900101-2385' }, 'personal_number'],
    [{ display_name: ' ' }, 'display_name'],
    [{ role: 'root' }, 'role'],
    [{ role: 'broker_admin' }, 'tenant_id'],
    [{ tenant_id: null }, 'tenant_id'],
    [{ tenant_id: 'nowhere' }, 'tenant_id'],
    [{ personal_number_hash: 'x' }, 'personal_number_hash'],
  ];
  for (const [change, field] of cases) {
    const answer = await call(t, 'POST', '/admins', { token: admin, body: { ...valid, ...change } });
    assert.equal(answer.status, 400, `${JSON.stringify(change)}: ${JSON.stringify(answer.json)}`);
    assert.deepEqual(fieldsOf(answer), [field], JSON.stringify(change));
  }
  assert.deepEqual((await call(t, 'GET', '/admins?q=Bo', { token: admin })).json.items, [], 'nothing written');
  const created = await call(t, 'POST', '/admins', { token: admin, body: valid });
  const patch = await call(t, 'PATCH', `/admins/${created.json.id}`, { token: admin, body: { role: 'broker_admin' } });
  assert.deepEqual(fieldsOf(patch), ['tenant_id']);
  assert.deepEqual(fieldsOf(await call(t, 'PATCH', `/admins/${created.json.id}`, { token: admin, body: { personal_number: PERSON } })), ['personal_number']);
});

test('a tenant admin manages its own tenant\'s admins only: broker admins and other tenants\' admins are out of reach', async () => {
  const town = (await adminClient(t, ['admin:tenant:town'], 'town')).token;
  const broker = await call(t, 'POST', '/admins', { token: admin, body: { personal_number: THIRD_PERSON, display_name: 'Broker', role: 'broker_admin' } });
  const cityAdmin = await call(t, 'POST', '/admins', { token: admin, body: { personal_number: THIRD_PERSON, display_name: 'City', role: 'tenant_admin', tenant_id: 'city' } });

  const own = await call(t, 'POST', '/admins', { token: town, body: { personal_number: THIRD_PERSON, display_name: 'Town auditor', role: 'tenant_auditor' } });
  assert.equal(own.status, 201, JSON.stringify(own.json));
  assert.equal(own.json.tenant_id, 'town', 'the caller\'s only tenant by default');
  assert.ok((await call(t, 'GET', '/admins', { token: town })).json.items.every((a: { tenant_id: string }) => a.tenant_id === 'town'));

  for (const id of [broker.json.id, cityAdmin.json.id]) {
    for (const [method, body] of [['GET'], ['PATCH', { display_name: 'x' }], ['DELETE']] as const) {
      const answer = await call(t, method, `/admins/${id}`, { token: town, body });
      assert.equal(answer.status, 404, `${method} ${id}`);
    }
  }
  const makeBroker = await call(t, 'POST', '/admins', { token: town, body: { personal_number: OTHER_PERSON, display_name: 'Up', role: 'broker_admin' } });
  assert.equal(makeBroker.status, 403);
  assert.equal(makeBroker.json.error, 'admin_forbidden');
  const promote = await call(t, 'PATCH', `/admins/${own.json.id}`, { token: town, body: { role: 'broker_admin', tenant_id: null } });
  assert.equal(promote.status, 403);
  assert.equal((await call(t, 'GET', `/admins/${own.json.id}`, { token: admin })).json.role, 'tenant_auditor', 'unchanged');
  assert.deepEqual(fieldsOf(await call(t, 'PATCH', `/admins/${own.json.id}`, { token: town, body: { tenant_id: 'city' } })), ['tenant_id']);
  assert.equal((await call(t, 'PATCH', `/admins/${own.json.id}`, { token: town, body: { role: 'tenant_admin' } })).json.role, 'tenant_admin');
  assert.equal((await call(t, 'DELETE', `/admins/${own.json.id}`, { token: town })).status, 204);
});

test('read-only scopes read everything they may see and change nothing: 403 with a message', async () => {
  const reader = (await adminClient(t, ['admin:read'])).token;
  const townReader = (await adminClient(t, ['admin:tenant:town:read'], 'town')).token;
  for (const path of ['/tenants', '/tenants/city', '/clients', '/admins', '/audit', '/tenants/city/certificates']) {
    assert.equal((await call(t, 'GET', path, { token: reader })).status, 200, path);
  }
  assert.deepEqual((await call(t, 'GET', '/tenants', { token: townReader })).json.items.map((x: { id: string }) => x.id), ['town']);
  assert.equal((await call(t, 'GET', '/tenants/city', { token: townReader })).status, 404);

  const changes: [string, string, unknown?][] = [
    ['POST', '/tenants', { id: 'ro', name: { sv: 'S', en: 'E' }, bankid_environment: 'simulator' }],
    ['PATCH', '/tenants/town', { name: { sv: 'x' } }],
    ['DELETE', '/tenants/town'],
    ['POST', '/clients', { redirect_uris: ['https://ro.example/cb'] }],
    ['POST', '/admins', { personal_number: OTHER_PERSON, display_name: 'x', role: 'tenant_admin', tenant_id: 'town' }],
    ['POST', '/tenants/town/certificates/rollback', {}],
  ];
  for (const token of [reader, townReader]) {
    for (const [method, path, body] of changes) {
      const answer = await call(t, method, path, { token, body });
      assert.equal(answer.status, 403, `${method} ${path}`);
      assert.equal(answer.json.error, 'admin_read_only');
      assert.match(answer.json.message, /bara läsa/);
    }
  }
  assert.equal((await call(t, 'GET', '/tenants/town', { token: admin })).json.name.sv, 'Org town', 'unchanged');

  // Read everything, change one tenant: the others it sees are 403, not 404.
  const mixed = await adminClient(t, ['admin:read', 'admin:tenant:town'], 'town');
  assert.equal((await call(t, 'PATCH', '/tenants/town', { token: mixed.token, body: { name: { en: 'Town' } } })).status, 200);
  const elsewhere = await call(t, 'PATCH', '/tenants/city', { token: mixed.token, body: { name: { en: 'City' } } });
  assert.equal(elsewhere.status, 403);
  assert.equal(elsewhere.json.error, 'admin_forbidden');
  assert.equal((await call(t, 'GET', '/tenants/city', { token: admin })).json.name.en, 'Org city', 'rolled back');
  // A read-everything scope is no licence to hand out admin rights.
  const grant = await call(t, 'POST', '/clients', { token: mixed.token, body: { tenant_id: 'town', grant_types: ['client_credentials'], brygga_admin_scopes: ['admin:read'] } });
  assert.deepEqual(fieldsOf(grant), ['brygga_admin_scopes.0']);
});

test('a client-credentials token carries the read-only scope it asks for', async () => {
  const tool = await adminClient(t, ['admin', 'admin:read']);
  const readOnly = await clientCredentialsToken(t, tool.clientId, tool.secret, 'admin:read');
  assert.equal((await call(t, 'GET', '/tenants', { token: readOnly })).status, 200);
  assert.equal((await call(t, 'DELETE', '/tenants/city', { token: readOnly })).status, 403);
});
