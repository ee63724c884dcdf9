/**
 * The console's usage page over HTTP: the month's numbers are the admin API's, the CSV is the API's CSV, a wrong
 * month is named next to the month picker, and a tenant admin reaches only its own tenant's usage.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import { BOOTSTRAP, call, createTenant, startAdminBroker } from '../admin/support.ts';
import type { TestBroker } from '../helpers/broker.ts';
import { HttpBrowser } from '../helpers/http-browser.ts';
import { discover, login, REDIRECT_URI } from '../helpers/rp.ts';
import { seedAdmin, signIn } from './support.ts';

const BROKER_ADMIN = '198112189876';
const TENANT_ADMIN = '191212121212';

let t: TestBroker;

before(async () => {
  t = await startAdminBroker();
  await createTenant(t, 'kommun-u');
  await seedAdmin(t, BROKER_ADMIN, 'broker_admin');
  await seedAdmin(t, TENANT_ADMIN, 'tenant_admin', 'kommun-u');
  assert.equal((await call(t, 'POST', '/tenants/default/tariffs', { token: BOOTSTRAP, body: { valid_from: '2020-01-01', price: '1.25', currency: 'SEK' } })).status, 200);
  const made = await call(t, 'POST', '/clients', { token: BOOTSTRAP, body: { client_id: 'usage-rp', redirect_uris: [REDIRECT_URI], brygga_first_party: true } });
  assert.equal(made.status, 201, JSON.stringify(made.json));
  const config = await discover(t, 'usage-rp', oidc.ClientSecretBasic(made.json.client_secret));
  for (let i = 0; i < 2; i++) await login(t, config);
});
after(async () => { await t?.close(); });

const cell = (html: string, client: string, key: string) => {
  const row = new RegExp(`<tr data-client="${client}">([\\s\\S]*?)</tr>`).exec(html)?.[1];
  assert.ok(row, `no row for ${client}`);
  const td = new RegExp(`<td data-key="${key}"(?: data-value="([^"]*)")?>([\\s\\S]*?)</td>`).exec(row);
  assert.ok(td, `no ${key} for ${client}`);
  return td[1] ?? td[2]!;
};

test('the usage page shows the month the API reports, per client, with both charts and the CSV of the API', async () => {
  const { browser } = await signIn(t, BROKER_ADMIN, new HttpBrowser(), '/admin/tenants/default');
  const page = await browser.get(`${t.broker.url}/admin/tenants/default/usage`);
  assert.equal(page.status, 200, page.body.slice(0, 500));
  const month = /id="month" name="month" value="(\d{4}-\d{2})"/.exec(page.body)?.[1];
  assert.ok(month);
  const api = (await call(t, 'GET', `/tenants/default/usage?month=${month}`, { token: BOOTSTRAP })).json;
  const row = api.rows.find((r: any) => r.kind === 'client' && r.id === 'usage-rp');
  assert.equal(row.billable, 2);
  for (const key of ['billable', 'started', 'completed', 'cancelled', 'expired', 'qr', 'same_device', 'unique_persons', 'median_ms', 'p95_ms', 'conversion', 'amount']) {
    assert.equal(cell(page.body, 'usage-rp', key), String(row[key]), key);
  }
  assert.equal(cell(page.body, 'usage-rp', 'amount'), '2.50');
  assert.deepEqual(row.billable_by_operation, { auth: 2, sign: 0, payment: 0 });
  for (const op of ['auth', 'sign']) assert.equal(cell(page.body, 'usage-rp', `billable:${op}`), String(row.billable_by_operation[op]), op);
  assert.match(page.body, /<th scope="col">Debiterbara identifieringar<\/th><th scope="col">Debiterbara underskrifter<\/th>/);
  for (const chart of ['daily-chart', 'mix-chart']) {
    assert.match(page.body, new RegExp(`<svg id="${chart}"[^>]*role="img" aria-labelledby="${chart}-title ${chart}-desc"`));
    assert.match(page.body, new RegExp(`<title id="${chart}-title">`));
    assert.match(page.body, new RegExp(`<table id="${chart}-data">`));
  }

  const csv = await browser.get(`${t.broker.url}/admin/tenants/default/usage.csv?month=${month}`);
  const apiCsv = await fetch(`${t.broker.url}/admin/api/tenants/default/usage?month=${month}&format=csv`, { headers: { authorization: `Bearer ${BOOTSTRAP}` } });
  assert.equal(csv.status, 200);
  assert.equal(csv.headers.get('content-type'), apiCsv.headers.get('content-type'));
  assert.equal(csv.headers.get('content-disposition'), apiCsv.headers.get('content-disposition'));
  assert.equal(csv.body, await apiCsv.text());
});

test('a wrong month is named next to the month picker', async () => {
  const { browser } = await signIn(t, BROKER_ADMIN);
  const page = await browser.get(`${t.broker.url}/admin/tenants/default/usage?month=2026-13`);
  assert.equal(page.status, 400);
  assert.match(page.body, /id="month-error"/);
  assert.match(page.body, /value="2026-13"/);
  assert.doesNotMatch(page.body, /id="usage-clients"/);
});

test('a tenant admin sees its own tenant\'s usage and gets 404 for another\'s, page and CSV', async () => {
  const { browser } = await signIn(t, TENANT_ADMIN, new HttpBrowser(), '/admin/tenants/kommun-u');
  const own = await browser.get(`${t.broker.url}/admin/tenants/kommun-u/usage?month=2026-10`);
  assert.equal(own.status, 200);
  assert.match(own.body, /id="no-usage"/);
  assert.equal((await browser.get(`${t.broker.url}/admin/tenants/default/usage?month=2026-10`)).status, 404);
  assert.equal((await browser.get(`${t.broker.url}/admin/tenants/default/usage.csv?month=2026-10`)).status, 404);
});
