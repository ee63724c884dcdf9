/** Tenants: validated input, the default tenant and the clients that were there before it, and a policy clients only narrow. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Migrator } from 'kysely/migration';
import { InputError } from '../../src/errors/field-errors.ts';
import { clientSettings } from '../../src/oidc/client-settings.ts';
import { DirectoryMigrationProvider, migrateToLatest } from '../../src/storage/migrator.ts';
import { luhnValid, parseOrganisationNumber } from '../../src/tenants/organisation-number.ts';
import { effectiveSettings, wideningProblems } from '../../src/tenants/policy.ts';
import { TenantService } from '../../src/tenants/service.ts';
import { createTestDatabase } from '../helpers/database.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let tenants: TenantService;

before(async () => {
  database = await createTestDatabase({ migrate: false });
  // A client registered before tenants existed.
  const migrator = new Migrator({ db: database.db, provider: new DirectoryMigrationProvider() });
  const { error } = await migrator.migrateTo('0008_login_grants');
  assert.equal(error, undefined);
  await database.db.insertInto('clients').values({ client_id: 'old-client', sealed_secret: null, metadata: JSON.stringify({ client_id: 'old-client' }) } as never).execute();
  await migrateToLatest(database.db);
  tenants = new TenantService(database.db);
});
after(async () => { await database.close(); });

async function fieldErrors(work: Promise<unknown>): Promise<Record<string, string>> {
  const err = await work.then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof InputError, `expected field errors, got ${String(err)}`);
  assert.equal(err.status, 400);
  return Object.fromEntries(err.errors.map((e) => [e.field, e.message]));
}

test('existing clients land in the default tenant, which follows BANKID_ENV', async () => {
  const row = await database.db.selectFrom('clients').select('tenant_id').where('client_id', '=', 'old-client').executeTakeFirstOrThrow();
  assert.equal(row.tenant_id, 'default');
  const fallback = await tenants.get('default');
  assert.equal(fallback.bankidEnvironment, undefined);
  assert.deepEqual(fallback.policy, {});
});

test('organisation numbers: ten digits with a Luhn check digit, stored as NNNNNN-NNNN', () => {
  assert.ok(luhnValid('5566304928'));
  assert.deepEqual(parseOrganisationNumber('5566304928'), { value: '556630-4928' });
  assert.deepEqual(parseOrganisationNumber(' 212000-1355 '), { value: '212000-1355' });
  assert.match((parseOrganisationNumber('556630-4929') as { problem: string }).problem, /check digit/);
  assert.match((parseOrganisationNumber('55663049') as { problem: string }).problem, /10 digits/);
});

test('a tenant is created whole or refused with every field error at once', async () => {
  const errors = await fieldErrors(tenants.create({
    id: 'Bad Id', name: { sv: '', en: 'x' }, organisationNumber: '556630-4929', contacts: [{ email: 'nope' }],
    policy: { startMethods: ['fax'], acr: 'loa9', colour: 'red' } as never,
  }));
  assert.deepEqual(Object.keys(errors).sort(), ['bankidEnvironment', 'contacts[0].email', 'id', 'name.sv', 'organisationNumber', 'policy.acr', 'policy.colour', 'policy.startMethods']);
  assert.equal((await tenants.list()).length, 1, 'nothing written');

  const created = await tenants.create({
    id: 'kommun-a', name: { sv: 'Kommun A', en: 'Municipality A' }, organisationNumber: '2120001355', bankidEnvironment: 'production',
    contacts: [{ name: 'IT-support', email: 'it@kommun-a.se', phone: '+46 8 123 456' }],
    policy: { startMethods: ['qr'], requirement: { pinCode: true, certificatePolicies: ['1.2.752.78.*'] }, ssoGroups: ['kommun-a'], startsPerClientPerMinute: 60 },
  });
  assert.equal(created.organisationNumber, '212000-1355');
  assert.deepEqual(await fieldErrors(tenants.create({ id: 'kommun-b', name: { sv: 'B', en: 'B' }, organisationNumber: '212000-1355', bankidEnvironment: 'production' })),
    { organisationNumber: 'belongs to tenant kommun-a already' });
  assert.deepEqual(await fieldErrors(tenants.create({ id: 'kommun-a', name: { sv: 'A', en: 'A' }, bankidEnvironment: 'production' })), { id: 'is taken' });
});

test('a client cannot widen its tenant\'s policy: each wider setting is a field error; the effective setting is the narrower', async () => {
  const metadata = {
    client_id: 'wide', brygga_start_methods: ['qr', 'same_device'], brygga_requirement: { pinCode: false, certificatePolicies: ['1.2.3.4.5'] }, brygga_sso_group: 'elsewhere',
  };
  const errors = await fieldErrors(tenants.checkClient('kommun-a', metadata));
  assert.deepEqual(Object.keys(errors).sort(), ['brygga_requirement', 'brygga_sso_group', 'brygga_start_methods']);
  assert.match(errors.brygga_start_methods!, /same_device is not allowed/);
  assert.match(errors.brygga_requirement!, /pinCode must stay true.*certificatePolicies 1\.2\.3\.4\.5/);
  await assert.rejects(tenants.assignClient('old-client', 'kommun-a', metadata), InputError);

  const narrow = { client_id: 'old-client', brygga_start_methods: ['qr'], brygga_requirement: { mrtd: true, certificatePolicies: ['1.2.752.78.1.5'] }, brygga_sso_group: 'kommun-a' };
  await tenants.checkClient('kommun-a', narrow);
  await tenants.assignClient('old-client', 'kommun-a', narrow);
  const effective = await tenants.effectiveSettings('old-client', narrow);
  assert.deepEqual(effective.startMethods, ['qr']);
  assert.deepEqual(effective.requirement, { mrtd: true, pinCode: true, certificatePolicies: ['1.2.752.78.1.5'] });
  assert.equal(effective.ssoGroup, 'kommun-a');
  assert.equal(effective.startsPerMinute, 60);

  // A client saved before the tenant narrowed its policy gets the narrower setting when it is read.
  const before = effectiveSettings({ startMethods: ['same_device'], requirement: { cardReader: 'class2' }, ssoGroups: [] }, clientSettings({ brygga_requirement: { cardReader: 'class1' }, brygga_sso_group: 'g' }));
  assert.deepEqual([before.startMethods, before.requirement, before.ssoGroup], [['same_device'], { cardReader: 'class2' }, undefined]);
  assert.deepEqual(wideningProblems({}, metadata), [], 'without a policy nothing is wider');
});
