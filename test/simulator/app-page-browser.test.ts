/** The app page in Debian's Chromium: its refresh brings new orders in without a single CSP violation. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, skipWithoutBrowser } from '../helpers/chromium.ts';
import { startOrder, startTestSimulator, type TestSimulator } from './support.ts';

const skip = skipWithoutBrowser;

let t: TestSimulator;
let browser: Browser;
before(async () => {
  if (skip) return;
  t = await startTestSimulator();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await t?.close();
});

test('the refresh shows a new order and the page reports no CSP violation', { skip }, async () => {
  const page = await browser.newPage();
  const reported: string[] = [];
  page.on('console', (message) => { if (message.type() === 'error') reported.push(message.text()); });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP ${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(`${t.sim.controlUrl}/?lang=en`);
  assert.equal(await page.locator('.logo').evaluate((e) => getComputedStyle(e).fontWeight), '700', 'the stylesheet applies');
  const order = await startOrder(t.sim, 'auth');
  // Only the refresh script can bring the order in; the page is not reloaded.
  await page.locator(`[data-order-ref="${order.orderRef}"]`).waitFor({ timeout: 15_000 });
  assert.deepEqual(reported, []);
});
