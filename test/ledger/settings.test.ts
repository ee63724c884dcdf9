/**
 * A tenant's usage settings (report time zone, billable operations) and tariffs as operators change them: through the
 * admin API (merge patch; a wrong value is a 400 naming its field and writes nothing; audited), the CLI over that
 * API, and the console's tenant page. The usage report follows the settings.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TENANT_FIELDS, valuesOf } from '../../src/console/forms.ts';
import { BOOTSTRAP, call, createTenant, fieldsOf, startAdminBroker } from '../admin/support.ts';
import { csrfOf, seedAdmin, signIn } from '../console/support.ts';
import type { TestBroker } from '../helpers/broker.ts';
import { runCli } from '../helpers/cli.ts';
import { HttpBrowser } from '../helpers/http-browser.ts';

const BROKER_ADMIN = '198112189876';
let t: TestBroker;

before(async () => {
  t = await startAdminBroker();
  await seedAdmin(t, BROKER_ADMIN, 'broker_admin');
});
after(async () => { await t?.close(); });

const tenant = async (id: string) => (await call(t, 'GET', `/tenants/${id}`, { token: BOOTSTRAP })).json;
const settingsOf = async (id: string) => {
  const { time_zone, billable_operations } = await tenant(id);
  return { time_zone, billable_operations };
};

/** The command over the broker's admin API as the bootstrap admin. */
const brygga = (...args: string[]) => runCli([...args, '--url', t.broker.url, '--token', BOOTSTRAP]);

test('the admin API sets the time zone and billable operations by merge patch; a wrong one is a 400 naming the field and writes nothing', async () => {
  const created = await createTenant(t, 'kommun-s');
  assert.deepEqual([created.time_zone, created.billable_operations], ['Europe/Stockholm', ['auth', 'sign', 'payment']], 'the defaults');
  const patched = await call(t, 'PATCH', '/tenants/kommun-s', { token: BOOTSTRAP, body: { time_zone: 'America/New_York', billable_operations: ['auth', 'sign', 'payment'] } });
  assert.equal(patched.status, 200, JSON.stringify(patched.json));
  assert.deepEqual(await settingsOf('kommun-s'), { time_zone: 'America/New_York', billable_operations: ['auth', 'sign', 'payment'] });
  const report = (await call(t, 'GET', '/tenants/kommun-s/usage?month=2026-10', { token: BOOTSTRAP })).json;
  assert.deepEqual([report.time_zone, report.billable_operations], ['America/New_York', ['auth', 'sign', 'payment']], 'the report counts in them');
  const audit = (await call(t, 'GET', '/audit?object_type=tenant&object_id=kommun-s', { token: BOOTSTRAP })).json.items[0];
  assert.deepEqual([audit.action, audit.before.time_zone, audit.after.time_zone, audit.after.billable_operations], ['update', 'Europe/Stockholm', 'America/New_York', ['auth', 'sign', 'payment']]);

  const cases: [Record<string, unknown>, string][] = [
    [{ time_zone: 'Mars/Olympus_Mons' }, 'time_zone'],
    [{ time_zone: '+01:00' }, 'time_zone'], // Postgres would read it as POSIX, the sign reversed
    [{ time_zone: 'europe/stockholm' }, 'time_zone'], // Intl takes any case, the database does not
    [{ time_zone: 'US/Pacific-New' }, 'time_zone'], // Intl still knows it, the database's time zone data no more
    [{ time_zone: '' }, 'time_zone'],
    [{ time_zone: 7 }, 'time_zone'],
    [{ billable_operations: ['auth', 'sgin'] }, 'billable_operations'],
    [{ billable_operations: [] }, 'billable_operations'],
    [{ billable_operations: ['auth', 'auth'] }, 'billable_operations'],
    [{ billable_operations: 'auth' }, 'billable_operations'],
  ];
  for (const [change, field] of cases) {
    const answer = await call(t, 'PATCH', '/tenants/kommun-s', { token: BOOTSTRAP, body: change });
    assert.equal(answer.status, 400, `${JSON.stringify(change)}: ${JSON.stringify(answer.json)}`);
    assert.deepEqual(fieldsOf(answer), [field], JSON.stringify(change));
  }
  const created400 = await call(t, 'POST', '/tenants', { token: BOOTSTRAP, body: { id: 'zoneless', name: { sv: 'Z', en: 'Z' }, bankid_environment: 'simulator', time_zone: 'Nowhere/Town' } });
  assert.deepEqual([created400.status, fieldsOf(created400)], [400, ['time_zone']]);
  assert.equal((await call(t, 'GET', '/tenants/zoneless', { token: BOOTSTRAP })).status, 404);
  assert.deepEqual(await settingsOf('kommun-s'), { time_zone: 'America/New_York', billable_operations: ['auth', 'sign', 'payment'] }, 'nothing was written');

  const reset = await call(t, 'PATCH', '/tenants/kommun-s', { token: BOOTSTRAP, body: { time_zone: null, billable_operations: null } });
  assert.equal(reset.status, 200, JSON.stringify(reset.json));
  assert.deepEqual(await settingsOf('kommun-s'), { time_zone: 'Europe/Stockholm', billable_operations: ['auth', 'sign', 'payment'] }, 'null is the default again');
});

test('brygga tenants update and brygga tariffs over the admin API; a wrong value exits 2 naming the field', async () => {
  await createTenant(t, 'kommun-c');
  const updated = await brygga('tenants', 'update', 'kommun-c', '--time-zone', 'Europe/Helsinki', '--billable', 'auth,phone_auth', '--json');
  assert.equal(updated.code, 0, updated.stderr);
  assert.deepEqual([JSON.parse(updated.stdout).time_zone, JSON.parse(updated.stdout).billable_operations], ['Europe/Helsinki', ['auth', 'phone_auth']]);
  assert.deepEqual(await settingsOf('kommun-c'), { time_zone: 'Europe/Helsinki', billable_operations: ['auth', 'phone_auth'] });
  const wrong = await brygga('tenants', 'update', 'kommun-c', '--time-zone', 'Nowhere/Town', '--billable', 'auth,fax');
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /time_zone: must be an IANA time zone such as Europe\/Stockholm/);
  assert.match(wrong.stderr, /billable_operations: must be a non-empty list of distinct operations/);
  assert.equal((await settingsOf('kommun-c')).time_zone, 'Europe/Helsinki');

  const added = await brygga('tariffs', 'add', '--tenant', 'kommun-c', '--valid-from', '2026-07-01', '--price', '1.85', '--currency', 'SEK');
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stdout, /^price\s+1\.8500$/m);
  assert.equal((await brygga('tariffs', 'add', '--tenant', 'kommun-c', '--valid-from', '2027-01-01', '--price', '2', '--currency', 'SEK')).code, 0);
  const listed = await brygga('tariffs', 'list', '--tenant', 'kommun-c');
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /^VALID FROM\s+PRICE\s+CURRENCY\n2026-07-01\s+1\.8500\s+SEK\n2027-01-01\s+2\.0000\s+SEK\n$/);
  const badPrice = await brygga('tariffs', 'add', '--tenant', 'kommun-c', '--valid-from', '2027-02-30', '--price', '1,85', '--currency', 'SEK');
  assert.equal(badPrice.code, 2);
  assert.match(badPrice.stderr, /valid_from: must be a date YYYY-MM-DD/);
  assert.match(badPrice.stderr, /price: must be a decimal number/);
  const otherCurrency = await brygga('tariffs', 'add', '--tenant', 'kommun-c', '--valid-from', '2027-03-01', '--price', '2', '--currency', 'EUR');
  assert.equal(otherCurrency.code, 2);
  assert.match(otherCurrency.stderr, /currency: must be SEK, the currency of the tenant's other tariffs/);
  assert.equal((await brygga('tariffs', 'list', '--tenant', 'nobody')).code, 2, 'no such tenant');
  assert.equal((await brygga('tariffs', 'list')).code, 2, '--tenant is required');
  const items = (await call(t, 'GET', '/tenants/kommun-c/tariffs', { token: BOOTSTRAP })).json.items;
  assert.deepEqual(items.map((x: { valid_from: string }) => x.valid_from), ['2026-07-01', '2027-01-01'], 'the refused ones left nothing');
  const audited = (await call(t, 'GET', '/audit?object_type=tariff&object_id=kommun-c%2F2026-07-01', { token: BOOTSTRAP })).json.items;
  assert.deepEqual(audited.map((a: { actor: string; after: unknown }) => [a.actor, a.after]), [['bootstrap', { valid_from: '2026-07-01', price: '1.8500', currency: 'SEK' }]]);
});

test('the console\'s tenant page shows and changes the time zone and billable operations; a wrong zone is named next to its field', async () => {
  await createTenant(t, 'kommun-k');
  const { browser, step } = await signIn(t, BROKER_ADMIN, new HttpBrowser(), '/admin/tenants/kommun-k');
  assert.match(step.body, /<input type="text" id="f-time_zone" name="time_zone" value="Europe\/Stockholm"/);
  assert.match(step.body, /name="billable_operations:auth" checked/);
  assert.match(step.body, /name="billable_operations:sign" checked/);
  assert.match(step.body, /name="billable_operations:payment" checked/);
  assert.doesNotMatch(step.body, /name="billable_operations:phone_auth" checked/);
  const fields = TENANT_FIELDS.filter((f) => !f.createOnly);
  const form: Record<string, string> = { _csrf: csrfOf(step.body), ...valuesOf(fields, await tenant('kommun-k')) };

  const wrong = await browser.post(`${t.broker.url}/admin/tenants/kommun-k`, { ...form, time_zone: 'Mars/Olympus_Mons' });
  assert.equal(wrong.status, 400);
  assert.match(wrong.body, /id="f-time_zone-error">must be an IANA time zone such as Europe\/Stockholm</);
  assert.match(wrong.body, /value="Mars\/Olympus_Mons"/, 'what was typed stays');
  assert.equal((await settingsOf('kommun-k')).time_zone, 'Europe/Stockholm');

  const { 'billable_operations:sign': _sign, ...withoutSign } = form;
  const saved = await browser.post(`${t.broker.url}/admin/tenants/kommun-k`, { ...withoutSign, time_zone: 'Europe/Oslo', 'billable_operations:phone_auth': 'on' });
  assert.equal(saved.status, 303, saved.body.slice(0, 500));
  assert.deepEqual(await settingsOf('kommun-k'), { time_zone: 'Europe/Oslo', billable_operations: ['auth', 'payment', 'phone_auth'] });
});
