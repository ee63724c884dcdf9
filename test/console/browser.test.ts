/**
 * The console in Chromium: a broker admin signs in with BankID through the simulator, creates a tenant, uploads its
 * certificate, registers a client and logs in with it; a tenant admin gets 404 for another tenant; the usage page
 * agrees with the admin API; axe finds nothing on any console page, in Swedish and English; every page reflows at 375 px.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import axe from 'axe-core';
import type { Browser, Page } from 'playwright-core';
import * as oidc from 'openid-client';
import { BOOTSTRAP, call, createTenant, startAdminBroker } from '../admin/support.ts';
import type { TestBroker } from '../helpers/broker.ts';
import { launchChromium, skipWithoutBrowser } from '../helpers/chromium.ts';
import { discover, login, REDIRECT_URI } from '../helpers/rp.ts';
import { seedAdmin } from './support.ts';

const skip = skipWithoutBrowser;
const BROKER_ADMIN = '198112189876'; // not the demo's own broker admin (199908072391)
const TENANT_ADMIN = '191212121212';

let t: TestBroker;
let browser: Browser;
let rp: Server;
let rpUrl = '';
const arrivals: URL[] = [];

before(async () => {
  if (skip) return;
  t = await startAdminBroker();
  await seedAdmin(t, BROKER_ADMIN, 'broker_admin');
  await createTenant(t, 'other-org');
  // The registered client's redirect URI: a loopback page that records what the broker sent.
  rp = createServer((req, res) => { arrivals.push(new URL(req.url!, rpUrl)); res.end('<!doctype html><title>RP</title><p id="arrived">ok</p>'); });
  await new Promise<void>((resolve) => rp.listen(0, '127.0.0.1', resolve));
  rpUrl = `http://127.0.0.1:${(rp.address() as { port: number }).port}`;
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  rp?.close();
  await t?.close();
});

/** On the broker's login page: a QR order, scanned and approved as `personalNumber` in the simulated app. */
async function approve(page: Page, personalNumber: string): Promise<void> {
  await page.click('button[data-method="qr"]');
  const qr = page.locator('#qr-image[data-qr^="bankid."]');
  await qr.waitFor();
  assert.equal((await t.sim.post('/sim/app/scan', { qr: await qr.getAttribute('data-qr'), personalNumber })).status, 200);
  const orderRef = String((await t.sim.latestOrder()).orderRef);
  assert.equal((await t.sim.post(`/sim/orders/${orderRef}/approve`, { personalNumber })).status, 200);
}

async function signIn(page: Page, personalNumber: string): Promise<void> {
  await page.goto(`${t.broker.url}/admin`);
  await page.click('#sign-in');
  await page.waitForURL(/\/interaction\//);
  await approve(page, personalNumber);
  await page.waitForURL(/\/admin\/clients$/, { timeout: 15_000 });
}

async function violations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axe.source });
  const found = await page.evaluate(async () => (await axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] })).violations
    .map((v) => `${v.id}: ${v.help} ${v.nodes.map((n) => n.html).join(' | ')}`));
  return found.map((f) => `${page.url()}: ${f}`);
}

test('a broker admin signs in with BankID, sets up a tenant, its certificate and a client, and the client logs in; axe finds nothing', { skip, timeout: 240_000 }, async () => {
  const context = await browser.newContext({ locale: 'sv-SE', bypassCSP: true });
  const page = await context.newPage();
  const findings: string[] = [];
  await page.goto(`${t.broker.url}/admin/login`);
  findings.push(...await violations(page));
  await signIn(page, BROKER_ADMIN);

  await page.goto(`${t.broker.url}/admin/tenants/new`);
  await page.fill('#f-id', 'kommun-b');
  await page.fill('#f-name-sv', 'Kommun B');
  await page.fill('#f-name-en', 'Municipality B');
  await page.selectOption('#f-bankid_environment', 'simulator');
  await page.click('#save');
  await page.waitForURL(/\/admin\/tenants\/kommun-b$/);

  const issued = t.simulator.issueRpCertificate({ displayName: 'Kommun B' });
  const dir = mkdtempSync(join(tmpdir(), 'console-cert-'));
  writeFileSync(join(dir, 'kommun-b.p12'), issued.pkcs12);
  await page.goto(`${t.broker.url}/admin/tenants/kommun-b/certificates`);
  await page.setInputFiles('#pkcs12', join(dir, 'kommun-b.p12'));
  await page.fill('#passphrase', t.broker.config.simulator.p12Passphrase);
  await page.click('#upload');
  await page.locator(`tr[data-fingerprint="${issued.fingerprint}"][data-state="staged"]`).waitFor();
  await page.click(`tr[data-fingerprint="${issued.fingerprint}"] form[action$="/activate"] button`);
  await page.locator(`tr[data-fingerprint="${issued.fingerprint}"][data-state="active"]`).waitFor();

  await page.goto(`${t.broker.url}/admin/clients/new`);
  await page.fill('#f-client_id', 'kommun-b-tjanst');
  await page.fill('#f-tenant_id', 'kommun-b');
  await page.fill('#f-client_name', 'Kommun B e-tjänst');
  await page.fill('#f-redirect_uris', `${rpUrl}/callback`);
  await page.click('#save');
  await page.locator('#client-secret').waitFor();

  for (const path of ['/admin/clients', '/admin/clients/kommun-b-tjanst', '/admin/clients/new', '/admin/tenants', '/admin/tenants/kommun-b', '/admin/tenants/new', '/admin/tenants/kommun-b/certificates', '/admin/admins', '/admin/audit']) {
    for (const lang of ['sv', 'en']) {
      await page.goto(`${t.broker.url}${path}?lang=${lang}`);
      findings.push(...await violations(page));
    }
  }

  // "Try login": a real login with the new client, whose order uses the tenant's own certificate.
  await page.goto(`${t.broker.url}/admin/clients/kommun-b-tjanst`);
  await page.click('#try-login');
  await page.waitForURL(/\/interaction\//);
  await approve(page, BROKER_ADMIN);
  // Not first-party: the person approves sharing, then arrives at the client.
  await page.locator('button[name="decision"][value="allow"]').click({ timeout: 15_000 });
  await page.locator('#arrived').waitFor({ timeout: 15_000 });
  const arrived = arrivals.find((u) => u.pathname === '/callback');
  assert.ok(arrived?.searchParams.get('code'), `no code at the client: ${arrivals.map((u) => u.href).join(' ')}`);
  assert.equal((await t.sim.latestOrder()).rpCertificate, issued.fingerprint);
  await context.close();
  assert.deepEqual(findings, []);
});

test('a tenant admin gets 404 for another tenant\'s pages', { skip, timeout: 120_000 }, async () => {
  await seedAdmin(t, TENANT_ADMIN, 'tenant_admin', 'kommun-b');
  const context = await browser.newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  await signIn(page, TENANT_ADMIN);
  assert.equal((await page.goto(`${t.broker.url}/admin/tenants/kommun-b`))!.status(), 200);
  for (const path of ['/admin/tenants/other-org', '/admin/tenants/other-org/certificates', '/admin/clients/brygga-console']) {
    assert.equal((await page.goto(`${t.broker.url}${path}`))!.status(), 404, path);
  }
  await context.close();
});

test('the usage page shows what the admin API reports for the month: the table, both charts with their text alternative, the CSV; axe finds nothing', { skip, timeout: 240_000 }, async () => {
  assert.equal((await call(t, 'POST', '/tenants/default/tariffs', { token: BOOTSTRAP, body: { valid_from: '2020-01-01', price: '2.40', currency: 'SEK' } })).status, 200);
  const made = await call(t, 'POST', '/clients', { token: BOOTSTRAP, body: { client_id: 'usage-rp', redirect_uris: [REDIRECT_URI], brygga_first_party: true } });
  assert.equal(made.status, 201, JSON.stringify(made.json));
  const config = await discover(t, 'usage-rp', oidc.ClientSecretBasic(made.json.client_secret));
  for (let i = 0; i < 2; i++) await login(t, config);

  const context = await browser.newContext({ locale: 'sv-SE', bypassCSP: true, acceptDownloads: true });
  const page = await context.newPage();
  await signIn(page, BROKER_ADMIN);
  await page.goto(`${t.broker.url}/admin/tenants/default`);
  await page.click('#usage');
  await page.waitForURL(/\/admin\/tenants\/default\/usage$/);
  const month = await page.inputValue('#month');
  const api = (await call(t, 'GET', `/tenants/default/usage?month=${month}`, { token: BOOTSTRAP })).json;
  const keys = ['billable', 'started', 'completed', 'failures', 'cancelled', 'expired', 'unique_persons', 'median_ms', 'p95_ms', 'conversion', 'qr', 'same_device', 'amount'];
  const shown = await page.$$eval('#usage-clients tbody tr', (rows) => rows.map((row) => [row.getAttribute('data-client'),
    Object.fromEntries([...row.querySelectorAll('td[data-key]')].map((td) => [td.getAttribute('data-key'), td.getAttribute('data-value') ?? td.textContent!.trim()]))]));
  const expected = api.rows.filter((r: any) => r.kind === 'client').map((r: any) => [r.id, Object.fromEntries([
    ...keys.map((k) => [k, k === 'failures' ? JSON.stringify(r[k]) : r[k] === null ? '' : String(r[k])]),
    ...api.billable_operations.map((op: string) => [`billable:${op}`, String(r.billable_by_operation[op])]),
  ])]);
  assert.deepEqual(shown, expected);
  assert.equal(expected.find(([id]: [string]) => id === 'usage-rp')[1].billable, '2');
  assert.deepEqual([expected.find(([id]: [string]) => id === 'usage-rp')[1]['billable:auth'], expected.find(([id]: [string]) => id === 'usage-rp')[1]['billable:sign']], ['2', '0']);
  assert.equal(expected.find(([id]: [string]) => id === 'usage-rp')[1].amount, '4.80');

  for (const chart of ['daily-chart', 'mix-chart']) {
    const svg = page.locator(`svg#${chart}[role="img"]`);
    assert.ok(await svg.isVisible(), chart);
    assert.deepEqual(await svg.evaluate((el) => [el.querySelector('title')?.id, el.querySelector('desc')?.id, el.getAttribute('aria-labelledby')]), [`${chart}-title`, `${chart}-desc`, `${chart}-title ${chart}-desc`]);
    assert.ok((await svg.locator('rect').count()) > 0, `${chart} has bars`);
    assert.ok((await page.locator(`table#${chart}-data tbody tr`).count()) > 0, `${chart} has its data table`);
  }
  // The outcome mix's bars and table carry the month's completed orders of all clients.
  const completed = api.rows.filter((r: any) => r.kind === 'client').reduce((a: number, r: any) => a + r.completed, 0);
  assert.equal(await page.locator('svg#mix-chart g[data-label="completed"]').getAttribute('data-total'), String(completed));

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#usage-csv')]);
  const apiCsv = await fetch(`${t.broker.url}/admin/api/tenants/default/usage?month=${month}&format=csv`, { headers: { authorization: `Bearer ${BOOTSTRAP}` } });
  assert.equal(readFileSync((await download.path())!, 'utf8'), await apiCsv.text());
  assert.equal(download.suggestedFilename(), `usage-default-${month}.csv`);

  const findings: string[] = [];
  for (const lang of ['sv', 'en']) {
    for (const path of [`/admin/tenants/default/usage?month=${month}`, '/admin/tenants/default/usage?month=2000-01', '/admin/tenants/default/usage?month=2026-13']) {
      await page.goto(`${t.broker.url}${path}&lang=${lang}`);
      findings.push(...await violations(page));
    }
  }
  await context.close();
  assert.deepEqual(findings, []);
});

test('every console page reflows at 375 px: no horizontal scrolling', { skip, timeout: 120_000 }, async () => {
  const context = await browser.newContext({ locale: 'sv-SE', viewport: { width: 375, height: 800 } });
  const page = await context.newPage();
  const wide: string[] = [];
  const check = async (path: string) => {
    await page.goto(`${t.broker.url}${path}`);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    if (width > 375) wide.push(`${path}: ${width}px`);
  };
  await check('/admin/login');
  await signIn(page, BROKER_ADMIN);
  for (const path of ['/admin/clients', '/admin/clients/new', '/admin/clients/kommun-b-tjanst', '/admin/tenants', '/admin/tenants/new', '/admin/tenants/kommun-b', '/admin/tenants/kommun-b/certificates', '/admin/admins', '/admin/audit', '/admin/tenants/default/usage']) {
    for (const lang of ['sv', 'en']) await check(`${path}?lang=${lang}`);
  }
  await context.close();
  assert.deepEqual(wide, []);
});
