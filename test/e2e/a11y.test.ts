/**
 * Accessibility of every page a person meets, in Swedish and English: axe-core's WCAG 2.1 A/AA rules in Chromium,
 * and reflow (no horizontal scrolling at 375 px). Walks a whole demo login, its failures, consent and logout.
 * Screenshots of each page at 375 and 1280 px go to test-artifacts/.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import axe from 'axe-core';
import type { Browser, Page } from 'playwright-core';
import * as oidc from 'openid-client';
import { CHECKS } from '../../src/bankid/verification/index.ts';
import { BRYGGA } from '../../src/oidc/claims.ts';
import { launchChromium, skipWithoutBrowser } from '../helpers/chromium.ts';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';

const skip = skipWithoutBrowser;
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
const NARROW = 375;
const WIDE = 1280;
const THIRD_PARTY = 'a11y-third-party';
const PAYER = 'a11y-payer';
const PAYER_SECRET = 'a11y-payer-secret-0123456789abcdefgh';
const REDIRECT_URI = 'https://rp.example/callback'; // never reached: the walk stops at the consent page

let t: TestBroker;
let browser: Browser;

before(async () => {
  if (skip) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  t = await startTestBroker();
  await t.broker.clients.save({
    client_id: THIRD_PARTY, client_secret: 'a11y-secret-0123456789abcdefghijkl', client_name: 'Tredje part AB',
    redirect_uris: [REDIRECT_URI], scope: 'openid profile',
  });
  await t.broker.clients.save({
    client_id: PAYER, client_secret: PAYER_SECRET, client_name: 'Webbutiken', redirect_uris: [REDIRECT_URI], scope: `openid ${BRYGGA.paymentScope}`,
  });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await t?.close();
});

interface Finding { page: string; rule: string; impact?: string | null; help: string; nodes: { target: string; html: string; summary?: string }[] }

/** Runs axe in the page (the CSP is bypassed for its script) and measures reflow; screenshots at both widths. */
async function audit(page: Page, name: string, findings: Finding[]): Promise<void> {
  await page.setViewportSize({ width: NARROW, height: 800 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  if (width > NARROW) findings.push({ page: name, rule: 'reflow', help: `the page is ${width} px wide at ${NARROW} px`, nodes: [] });
  await page.screenshot({ path: new URL(`a11y-${name}-${NARROW}.png`, ARTIFACTS).pathname, fullPage: true });
  await page.addScriptTag({ content: axe.source });
  const violations = await page.evaluate(async () => {
    const results = await axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] });
    return results.violations.map((v) => ({
      rule: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html, summary: n.failureSummary })),
    }));
  });
  findings.push(...violations.map((v) => ({ page: name, ...v })));
  await page.setViewportSize({ width: WIDE, height: 800 });
  await page.screenshot({ path: new URL(`a11y-${name}-${WIDE}.png`, ARTIFACTS).pathname, fullPage: true });
  await page.setViewportSize({ width: NARROW, height: 800 });
}

function report(findings: Finding[]): string {
  return findings.map((f) => `${f.page}: ${f.rule} (${f.impact ?? 'n/a'}) ${f.help}\n${f.nodes.map((n) => `    ${n.target}  ${n.html}\n      ${n.summary ?? ''}`).join('\n')}`).join('\n');
}

async function latestOrderRef(): Promise<string> {
  return String((await t.sim.latestOrder()).orderRef);
}

/** Chooses the QR code on the login page and approves it in the simulated app. */
async function approveByQr(page: Page): Promise<void> {
  await page.click('button[data-method="qr"]');
  const qrImage = page.locator('#qr-image[data-qr^="bankid."]');
  await qrImage.waitFor();
  assert.equal((await t.sim.post('/sim/app/scan', { qr: await qrImage.getAttribute('data-qr') })).status, 200);
  assert.equal((await t.sim.post(`/sim/orders/${await latestOrderRef()}/approve`, {})).status, 200);
}

for (const [lang, locale] of [['sv', 'sv-SE'], ['en', 'en-GB']] as const) {
  test(`every page passes axe (WCAG 2.1 AA) and reflows at ${NARROW} px (${lang})`, { skip, timeout: 120_000 }, async () => {
    const findings: Finding[] = [];
    const context = await browser.newContext({ locale, bypassCSP: true, viewport: { width: NARROW, height: 800 } });
    const page = await context.newPage();
    const at = (name: string) => audit(page, `${lang}-${name}`, findings);

    await page.goto(`${t.broker.url}/demo?lang=${lang}`);
    await at('demo-start');

    await page.click('#login');
    await page.waitForURL(/\/interaction\//);
    await at('login-choose');

    await page.click('button[data-method="same_device"]');
    await page.locator('#launch').waitFor();
    await at('login-same-device');

    await page.click('form:has(input[name="method"][value="qr"]) button.link');
    await page.locator('#qr-image svg').waitFor();
    await at('login-qr');

    const app = await context.newPage();
    await app.goto(`${t.simulator.controlUrl}/?lang=${lang}`);
    await app.locator('article.order').first().waitFor();
    await audit(app, `${lang}-simulator-app`, findings);
    await app.close();

    // The person cancels in the (simulated) app: the page's script notices and shows the failure.
    assert.equal((await t.sim.post(`/sim/orders/${await latestOrderRef()}/cancel`)).status, 200);
    await page.locator('#bankid-login[data-state="failed"]').waitFor({ timeout: 15_000 });
    await at('login-failed');

    await page.click('#cancel');
    await page.locator('#demo-error').waitFor();
    await at('demo-cancelled');

    await page.click('#login');
    await approveByQr(page);
    await page.waitForURL(/\/demo$/, { timeout: 15_000 });
    await page.locator('#claims').waitFor();
    // Long tokens must wrap, so everything folded away is unfolded.
    await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
    await at('demo-result');

    // With the session from the demo login, a client that is not first-party asks for consent.
    const auth = new URL('/auth', t.broker.url);
    auth.search = new URLSearchParams({
      client_id: THIRD_PARTY, redirect_uri: REDIRECT_URI, response_type: 'code', scope: 'openid profile', state: 'a11y', nonce: 'a11y',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', ui_locales: lang,
    }).toString();
    await page.goto(auth.href);
    await page.waitForURL(/\/interaction\//);
    // The demo's session is not shared with this client (no common SSO group): it logs in with BankID, then asks.
    await approveByQr(page);
    await page.locator('h1', { hasText: lang === 'sv' ? /Godkänn/ : /Approve/ }).waitFor({ timeout: 15_000 });
    assert.match(await page.locator('h1').innerText(), lang === 'sv' ? /Godkänn/ : /Approve/);
    await at('consent');

    await page.goto(`${t.broker.url}/interaction/no-such-login`);
    assert.equal(await page.locator('[role="alert"]').count(), 1);
    await at('error-expired');

    await page.goto(`${t.broker.url}/no-such-page`);
    await page.locator('#request-id').waitFor();
    await at('error-not-found');

    // Logging out of the session the demo login made, with no place to return to: the provider says so itself.
    await page.goto(`${t.broker.url}/session/end?ui_locales=${lang}`);
    await page.locator('button[name="logout"]').waitFor();
    await at('logout-confirm');
    await page.click('button[name="logout"]');
    await page.locator('main [role="status"]').waitFor();
    await at('logged-out');

    await context.close();
    assert.deepEqual(findings, [], `accessibility findings:\n${report(findings)}`);
  });

  test(`the demo signs a text: the sign page shows it as the app will, consent names the service, the demo shows the signature and each verification step as passed; axe passes (${lang})`, { skip, timeout: 120_000 }, async () => {
    const sv = lang === 'sv';
    const findings: Finding[] = [];
    const context = await browser.newContext({ locale, bypassCSP: true, viewport: { width: NARROW, height: 800 } });
    const page = await context.newPage();
    const at = (name: string) => audit(page, `${lang}-${name}`, findings);

    await page.goto(`${t.broker.url}/demo?lang=${lang}`);
    await page.fill('#sign-text', '# Hyresavtal\nJag godkänner *avtalet*.\n<b>inte fet</b>');
    await page.click('#sign');
    await page.waitForURL(/\/interaction\//);
    assert.equal(await page.locator('h1').innerText(), sv ? 'Skriv under med BankID' : 'Sign with BankID');
    assert.equal(await page.locator('#signed-text h3').innerText(), 'Hyresavtal');
    assert.equal(await page.locator('#signed-text strong').innerText(), 'avtalet');
    assert.match(await page.locator('#signed-text').innerText(), /<b>inte fet<\/b>/);
    assert.equal(await page.locator('#signed-text b').count(), 0, 'the client\'s markup stays text');
    await at('sign-choose');

    await approveByQr(page);
    await page.locator('h1', { hasText: sv ? 'Godkänn underskriften' : 'Approve the signature' }).waitFor({ timeout: 15_000 });
    assert.match(await page.locator('main').innerText(), sv ? /Brygga demo är tjänsten du skriver under för/ : /Brygga demo is the service you are signing for/);
    await at('sign-consent');

    await page.click('button[name="decision"]');
    await page.waitForURL(/\/demo$/, { timeout: 15_000 });
    assert.match(await page.locator('#signer').innerText(), /199908072391/);
    assert.match(await page.locator('#signed-text').innerText(), /# Hyresavtal/);
    // Each step of the broker's verification, run on what the demo received, is shown as passed.
    const steps = await page.locator('#verification tbody tr').evaluateAll((rows) => rows.map((r) => [r.id, r.getAttribute('data-outcome'), (r as HTMLElement).innerText]));
    assert.deepEqual(steps.map(([id, outcome]) => [id, outcome]), CHECKS.map((check) => [`check-${check}`, 'passed']));
    for (const [id, , text] of steps) assert.match(text!, sv ? /Godkänd$/ : /Passed$/, id!);
    assert.match(await page.locator('#check-certificateChain').innerText(), sv ? /BankID:s användarrot/ : /BankID user root/);
    assert.equal(await page.locator('#verification-verdict').innerText(), sv ? 'Underskriften är kontrollerad: alla steg är godkända.' : 'The signature is verified: every step passed.');
    await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
    await at('sign-result');

    await context.close();
    assert.deepEqual(findings, [], `accessibility findings:\n${report(findings)}`);
  });

  test(`the payment page shows recipient, amount and risk warning, and its consent names the service; axe passes (${lang})`, { skip, timeout: 120_000 }, async () => {
    const sv = lang === 'sv';
    const findings: Finding[] = [];
    const context = await browser.newContext({ locale, bypassCSP: true, viewport: { width: NARROW, height: 800 } });
    const page = await context.newPage();
    const at = (name: string) => audit(page, `${lang}-${name}`, findings);

    // Pushed by the authenticated client, the payment request may be JSON (docs/extensions.md).
    const payer = await oidc.discovery(new URL(t.broker.url), PAYER, undefined, oidc.ClientSecretBasic(PAYER_SECRET), { execute: [oidc.allowInsecureRequests] });
    const url = await oidc.buildAuthorizationUrlWithPAR(payer, {
      redirect_uri: REDIRECT_URI, scope: `openid ${BRYGGA.paymentScope}`, prompt: 'login consent', state: 'a11y', ui_locales: lang,
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
      'urn:brygga:param:paymentRequest': JSON.stringify({
        transaction: { transactionType: 'card', recipient: { name: 'Webbutiken AB' }, money: { amount: '1499,00', currency: 'SEK' }, riskWarning: sv ? 'Ny mottagare' : 'New recipient' },
        risk_flags: ['newRecipient'],
      }),
    });
    await page.goto(url.href);
    await page.waitForURL(/\/interaction\//);
    assert.equal(await page.locator('h1').innerText(), sv ? 'Godkänn en betalning med BankID' : 'Approve a payment with BankID');
    assert.equal(await page.locator('#payment-recipient').innerText(), 'Webbutiken AB');
    assert.equal(await page.locator('#payment-amount').innerText(), '1499,00 SEK');
    assert.match(await page.locator('#payment-risk').innerText(), sv ? /Varning: Ny mottagare/ : /Warning: New recipient/);
    await at('payment-choose');

    await approveByQr(page);
    await page.locator('h1', { hasText: sv ? 'Godkänn betalningen' : 'Approve the payment' }).waitFor({ timeout: 15_000 });
    assert.match(await page.locator('main').innerText(), sv ? /Webbutiken är tjänsten du godkänner betalningen hos/ : /Webbutiken is the service you are approving the payment at/);
    await at('payment-consent');

    await context.close();
    assert.deepEqual(findings, [], `accessibility findings:\n${report(findings)}`);
  });
}
