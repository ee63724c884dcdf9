/**
 * The QR page in a real browser (Debian's Chromium via playwright-core): reloading it, switching its language or
 * going back keeps the BankID order; a page that really goes away (another site, a closed tab) has its order
 * cancelled at BankID within the grace.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, skipWithoutBrowser } from '../helpers/chromium.ts';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';
import { until } from '../helpers/until.ts';

const skip = skipWithoutBrowser;

let t: TestBroker;
let browser: Browser;

before(async () => {
  if (skip) return;
  t = await startTestBroker();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await t?.close();
});

const latestOrder = (uid: string) => t.broker.database.db.selectFrom('bankid_orders').selectAll()
  .where('interaction_id', '=', uid).orderBy('created_at', 'desc').limit(1).executeTakeFirstOrThrow();

const qrShown = (page: Page) => page.locator('#qr-image[data-qr^="bankid."] svg').waitFor();

/** A demo login in its own browser context, up to a running QR order. */
async function qrPage(): Promise<{ page: Page; uid: string; orderRef: string }> {
  const page = await (await browser.newContext({ locale: 'sv-SE' })).newPage();
  await page.goto(`${t.broker.url}/demo`);
  await page.click('#login');
  await page.waitForURL(/\/interaction\//);
  await page.click('button[data-method="qr"]');
  await qrShown(page);
  const uid = /\/interaction\/([\w-]+)/.exec(page.url())![1]!;
  const { order_ref: orderRef } = await latestOrder(uid);
  assert.equal((await t.sim.order(orderRef))?.status, 'pending');
  return { page, uid, orderRef };
}

test('reload, language switch and back keep the QR order; another site or a closed tab cancels it', { skip, timeout: 120_000 }, async () => {
  const [stays, leaves, closes] = await Promise.all([qrPage(), qrPage(), qrPage()]);

  // F5, "In English", then Back: each unloads the page (its beacon goes out) and polls again at once.
  await stays.page.reload();
  await qrShown(stays.page);
  await stays.page.click('.lang a');
  await stays.page.waitForURL(/[?&]lang=en/);
  await qrShown(stays.page);
  assert.equal(await stays.page.getAttribute('html', 'lang'), 'en');
  await stays.page.goBack();
  await stays.page.waitForURL((url) => !url.search.includes('lang=en'));
  await qrShown(stays.page);

  await leaves.page.goto(`${t.simulator.controlUrl}/`);
  await closes.page.close();
  // After the grace (3 s), the janitor's look and BankID's cancel; the bound leaves room for a loaded CI machine.
  for (const gone of [leaves, closes]) {
    await until(() => t.sim.order(gone.orderRef), (o) => o === undefined, 'the order of a page that went away is cancelled at BankID', 100, 150);
    assert.equal((await latestOrder(gone.uid)).status, 'cancelled');
  }

  // The grace checks ran for every page by now: the page that came back still has its very order.
  const kept = await latestOrder(stays.uid);
  assert.equal(kept.order_ref, stays.orderRef, 'no new order was started');
  assert.equal(kept.status, 'pending');
  assert.equal((await t.sim.order(stays.orderRef))?.status, 'pending');
  assert.match(await stays.page.locator('#message').innerText(), /Starta BankID-appen/);
  const scanned = await t.sim.post('/sim/app/scan', { qr: await stays.page.locator('#qr-image').getAttribute('data-qr') });
  assert.equal(scanned.status, 200, JSON.stringify(scanned.json));
  const approved = await t.sim.post(`/sim/orders/${stays.orderRef}/approve`, { personalNumber: '199908072391', givenName: 'Tolvan', surname: 'Tolvansson' });
  assert.equal(approved.status, 200, JSON.stringify(approved.json));
  await stays.page.waitForURL(/\/demo$/, { timeout: 15_000 });
  assert.match(await stays.page.locator('#claims').innerText(), /199908072391/);
  await Promise.all([stays, leaves].map((p) => p.page.context().close()));
});
