/**
 * The login in a real browser (Debian's Chromium via playwright-core): the demo relying party, the BankID page with
 * its animated QR and its app link, the simulator playing the BankID app. Screenshots go to test-artifacts/.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, skipWithoutBrowser } from '../helpers/chromium.ts';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';
import { until } from '../helpers/until.ts';

const skip = skipWithoutBrowser;
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);

let t: TestBroker;
let browser: Browser;

before(async () => {
  if (skip) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  t = await startTestBroker();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await t?.close();
});

async function newPage(locale: string, userAgent?: string): Promise<Page> {
  const context = await browser.newContext({ locale, userAgent, viewport: { width: 390, height: 844 } });
  return context.newPage();
}

async function approveLatest(): Promise<void> {
  const order = await t.sim.latestOrder();
  const approved = await t.sim.post(`/sim/orders/${String(order.orderRef)}/approve`, { personalNumber: '199908072391', givenName: 'Tolvan', surname: 'Tolvansson' });
  assert.equal(approved.status, 200, JSON.stringify(approved.json));
}

test('QR login in Chromium ends on the demo app with the claims', { skip, timeout: 60_000 }, async () => {
  const page = await newPage('sv-SE');
  await page.goto(`${t.broker.url}/demo`);
  await page.click('#login');
  await page.waitForURL(/\/interaction\//);
  await page.screenshot({ path: new URL('login-choose-sv.png', ARTIFACTS).pathname, fullPage: true });
  await page.click('button[data-method="qr"]');
  const qrImage = page.locator('#qr-image[data-qr^="bankid."]');
  await qrImage.waitFor();
  const first = await qrImage.getAttribute('data-qr');
  // The QR is animated: a new frame within a couple of seconds.
  await page.waitForFunction((previous) => document.querySelector('#qr-image')?.getAttribute('data-qr') !== previous, first, { timeout: 5000 });
  await page.screenshot({ path: new URL('login-qr-sv.png', ARTIFACTS).pathname, fullPage: true });
  const app = await page.context().newPage();
  await app.goto(`${t.simulator.controlUrl}/?lang=sv`);
  await app.screenshot({ path: new URL('simulator-app-sv.png', ARTIFACTS).pathname, fullPage: true });
  await app.close();
  const qr = await qrImage.getAttribute('data-qr');
  const scanned = await t.sim.post('/sim/app/scan', { qr });
  assert.equal(scanned.status, 200, JSON.stringify(scanned.json));
  await page.locator('#qr').waitFor({ state: 'hidden' });
  await approveLatest();
  await page.waitForURL(/\/demo$/, { timeout: 15_000 });
  const claims = await page.locator('#claims').innerText();
  assert.match(claims, /https:\/\/id\.oidc\.se\/claim\/personalIdentityNumber\s+199908072391/);
  assert.match(claims, /Tolvan Tolvansson/);
  assert.match(await page.locator('#userinfo').textContent() ?? '', /"family_name": "Tolvansson"/);
  await page.screenshot({ path: new URL('demo-result-sv.png', ARTIFACTS).pathname, fullPage: true });
  await page.context().close();
});

test('the login page in English, and usable at 320 px', { skip, timeout: 30_000 }, async () => {
  const page = await newPage('en-GB');
  await page.setViewportSize({ width: 320, height: 640 });
  await page.goto(`${t.broker.url}/demo?lang=en`);
  await page.click('#login');
  await page.waitForURL(/\/interaction\//);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.match(await page.locator('h1').innerText(), /Log in with BankID/);
  assert.match(await page.locator('.client').innerText(), /Brygga demo/);
  await page.screenshot({ path: new URL('login-choose-en.png', ARTIFACTS).pathname, fullPage: true });
  await page.click('button[data-method="qr"]');
  await page.locator('#qr-image svg').waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(overflow, false, 'no horizontal scrolling at 320 px');
  assert.match(await page.locator('#message').innerText(), /Start your BankID app/);
  assert.ok(await page.locator('#qr-image[role="img"][aria-label]').count(), 'the QR has a text alternative');
  await page.click('#qr-pause');
  assert.equal(await page.locator('#qr').isHidden(), true);
  await page.screenshot({ path: new URL('login-qr-paused-en.png', ARTIFACTS).pathname, fullPage: true });
  await page.click('#cancel');
  await page.waitForURL(/\/demo/);
  assert.match(await page.locator('#demo-error').innerText(), /access_denied/);
  await page.context().close();
});

test('same-device login: the app link carries the token; the return brings the browser back', { skip, timeout: 60_000 }, async () => {
  const iphone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
  const page = await newPage('sv-SE', iphone);
  await page.goto(`${t.broker.url}/demo`);
  await page.click('#login');
  await page.waitForURL(/\/interaction\//);
  // On a phone the same-device choice comes first.
  assert.equal(await page.locator('.choices button').first().getAttribute('data-method'), 'same_device');
  await page.click('button[data-method="same_device"]');
  const href = await page.locator('#launch').getAttribute('href');
  assert.ok(href);
  const token = new URL(href.replace('bankid:///', 'https://app.bankid.com/')).searchParams.get('autostarttoken');
  assert.ok(token, `no autostarttoken in ${href}`);
  const opened = await t.sim.post('/sim/app/open', { autoStartToken: token });
  assert.equal(opened.status, 200, JSON.stringify(opened.json));
  await approveLatest();
  const returnUrl = String(opened.json.returnUrl ?? (await t.sim.latestOrder()).returnUrl);
  assert.match(returnUrl, /\/return\?nonce=/);
  await page.goto(returnUrl);
  await page.waitForURL(/\/demo$/, { timeout: 15_000 });
  assert.match(await page.locator('#claims').innerText(), /199908072391/);
  await page.context().close();
});

test('leaving the QR page cancels its order at BankID', { skip, timeout: 30_000 }, async () => {
  const page = await newPage('sv-SE');
  await page.goto(`${t.broker.url}/demo`);
  await page.click('#login');
  await page.waitForURL(/\/interaction\//);
  await page.click('button[data-method="qr"]');
  await page.locator('#qr-image svg').waitFor();
  const order = await t.sim.latestOrder();
  assert.equal(order.status, 'pending');
  await page.goto('about:blank');
  // Cancelled once no poll followed the page's beacon within the grace (3 s); the simulator then forgets the order.
  await until(() => t.sim.order(String(order.orderRef)), (o) => o === undefined, 'the order no longer dangles at BankID', 60, 100);
  const row = await t.broker.database.db.selectFrom('bankid_orders').select('status').where('order_ref', '=', String(order.orderRef)).executeTakeFirstOrThrow();
  assert.equal(row.status, 'cancelled');
  await page.context().close();
});
