/**
 * The login in a real browser (Debian's Chromium via playwright-core): the demo relying party, the BankID page with
 * its animated QR and its app link, the simulator playing the BankID app. Screenshots go to test-artifacts/.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Browser, Page, Route } from 'playwright-core';
import { textsFor } from '../../src/i18n/texts.ts';
import { launchChromium, skipWithoutBrowser } from '../helpers/chromium.ts';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';
import { isQrOf, modulesOfSvg } from '../helpers/qr-matrix.ts';
import { until } from '../helpers/until.ts';

const skip = skipWithoutBrowser;
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
// A barcode reader, where installed (Debian's zbar-tools): reads the drawn QR from its pixels as a camera would.
const ZBARIMG = '/usr/bin/zbarimg';

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

/** From the demo app to a running QR order. */
async function startQr(page: Page): Promise<void> {
  await page.goto(`${t.broker.url}/demo`);
  await page.click('#login');
  await page.waitForURL(/\/interaction\//);
  await page.click('button[data-method="qr"]');
  // The script's drawing, or without JavaScript the server's image (a script-enabled browser never parses that one).
  await page.locator('#qr-image[data-qr^="bankid."] :is(svg, noscript img)').waitFor();
}

/**
 * The QR string the page shows and whether its image is that string's QR code (its modules read back): the SVG the
 * script drew, or without JavaScript the image the browser loaded, read from its URL (the route draws one URL alike).
 * A page without JavaScript reloads itself every second, which can cut a read short: then it reads again.
 */
async function shownQr(page: Page): Promise<{ qr: string; matches: boolean }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const shown = await page.locator('#qr-image').evaluate(async (el: HTMLElement) => {
        const img = el.querySelector('img');
        if (img) await img.decode();
        return { qr: el.dataset.qr ?? '', svg: el.querySelector('svg')?.outerHTML, src: img?.src };
      });
      const svg = shown.svg ?? (shown.src && await (await page.request.get(shown.src)).text());
      return { qr: shown.qr, matches: Boolean(svg) && isQrOf(modulesOfSvg(svg!), shown.qr) };
    } catch (error) {
      if (attempt === 5) throw error;
    }
  }
}

/**
 * A barcode reader reads the page's QR from a screenshot of it, as a camera would, and finds a frame of the order the
 * page names. In CI (BRYGGA_REQUIRE_BROWSER) the reader is installed by .ci/run, so this check always runs there.
 */
async function assertScreenShowsQr(page: Page, file: string): Promise<void> {
  if (!existsSync(ZBARIMG) && !process.env.BRYGGA_REQUIRE_BROWSER) return;
  const before = (await shownQr(page)).qr;
  const path = new URL(file, ARTIFACTS).pathname;
  await page.locator('#qr-image').screenshot({ path });
  const after = (await shownQr(page)).qr;
  const read = execFileSync(ZBARIMG, ['-q', '--raw', path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  // A slow screenshot may catch a frame between the two read before and after it: same order, a second in between.
  const [token, second] = read.split('.').slice(1, 3);
  const secondOf = (qr: string) => Number(qr.split('.')[2]);
  assert.equal(token, before.split('.')[1], `the screen shows ${read}`);
  assert.ok(secondOf(before) <= Number(second) && Number(second) <= secondOf(after), `the screen shows ${read}, between ${before} and ${after}`);
}

/** The person scans what the page shows (a frame again if the app found it too old) and approves; the page ends on the demo app with the claims. */
async function scanApproveAndFinish(page: Page): Promise<void> {
  await until(async () => t.sim.post('/sim/app/scan', { qr: (await shownQr(page)).qr }), (r) => r.status === 200, 'the app accepts the shown frame', 5, 200);
  await approveLatest();
  await page.waitForURL(/\/demo$/, { timeout: 15_000 });
  assert.match(await page.locator('#claims').innerText(), /199908072391/);
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

test('the login page in English, and usable at 320 px', { skip, timeout: 60_000 }, async () => {
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
  await until(() => t.sim.order(String(order.orderRef)), (o) => o === undefined, 'the order no longer dangles at BankID', 150, 100);
  const row = await t.broker.database.db.selectFrom('bankid_orders').select('status').where('order_ref', '=', String(order.orderRef)).executeTakeFirstOrThrow();
  assert.equal(row.status, 'cancelled');
  await page.context().close();
});

test('without the stream (404) the page polls /status and draws every QR frame itself', { skip, timeout: 60_000 }, async () => {
  const page = await newPage('sv-SE');
  // The broker's /events as it is before the stream exists (or when it is turned away): the page must poll.
  let streamAsked = 0;
  let socketAsked = 0;
  await page.routeWebSocket('**/interaction/*/events*', (ws) => { socketAsked++; ws.close(); });
  await page.route('**/interaction/*/events*', (route) => { streamAsked++; return route.fulfill({ status: 404, body: 'Not Found' }); });
  const polled: Record<string, unknown>[] = [];
  page.on('response', (r) => { if (new URL(r.url()).pathname.endsWith('/status')) void r.json().then((j: Record<string, unknown>) => polled.push(j), () => {}); });
  await startQr(page);
  // A reload (the no-JavaScript way to a new frame) would lose this mark.
  await page.evaluate(() => { document.documentElement.dataset.sameDocument = 'yes'; });
  const frames = new Set<string>();
  for (let i = 0; i < 3; i++) {
    const shown = await shownQr(page);
    assert.ok(shown.matches, `the drawn image is the QR code of ${shown.qr}`);
    frames.add(shown.qr);
    await page.waitForFunction((previous) => document.getElementById('qr-image')?.dataset.qr !== previous, shown.qr, { timeout: 5000 });
  }
  assert.equal(frames.size, 3, 'a new frame every second');
  await assertScreenShowsQr(page, 'qr-drawn-by-script.png');
  assert.equal(await page.evaluate(() => document.documentElement.dataset.sameDocument), 'yes', 'frames came without reloading the page');
  assert.equal(socketAsked, 1, 'the page tried a WebSocket first, once');
  assert.ok(streamAsked >= 1, 'then the event stream');
  assert.ok(polled.length >= 2, `polled /status (${polled.length})`);
  for (const status of polled) assert.ok(!('qrSvg' in status) && typeof status.qr === 'string', JSON.stringify(status));
  await scanApproveAndFinish(page);
  await page.context().close();
});

test('a busy stream (503) also sends the page to polling', { skip, timeout: 30_000 }, async () => {
  const page = await newPage('en-GB');
  await page.routeWebSocket('**/interaction/*/events*', (ws) => ws.close());
  await page.route('**/interaction/*/events*', (route) => route.fulfill({ status: 503, body: 'busy' }));
  const polledOnce = page.waitForResponse((r) => new URL(r.url()).pathname.endsWith('/status') && r.ok());
  await startQr(page);
  await polledOnce;
  await page.context().close();
});

test('the WebSocket path: the broker\'s own socket drives the page to the end, without an event stream or a poll', { skip, timeout: 60_000 }, async () => {
  const page = await newPage('en-GB');
  const sockets: string[] = [];
  const received: string[] = [];
  page.on('websocket', (ws) => {
    sockets.push(ws.url());
    ws.on('framereceived', (frame) => { if (typeof frame.payload === 'string') received.push(frame.payload); });
  });
  let httpStreamOrPolls = 0;
  page.on('request', (r) => { if (/\/(events|status)$/.test(new URL(r.url()).pathname)) httpStreamOrPolls++; });
  await startQr(page);
  const first = await shownQr(page);
  assert.ok(first.matches);
  await page.waitForFunction((previous) => document.getElementById('qr-image')?.dataset.qr !== previous, first.qr, { timeout: 5000 });
  const next = await shownQr(page);
  assert.ok(next.matches, 'the frame the socket brought is drawn');
  assert.ok(received.some((text) => (JSON.parse(text) as { qr?: string }).qr === next.qr), 'and it came over the socket');
  await scanApproveAndFinish(page);
  assert.equal(sockets.length, 1, sockets.join(', '));
  assert.match(sockets[0]!, /^ws:\/\/.*\/interaction\/[\w-]+\/events\?lang=en$/);
  assert.equal(httpStreamOrPolls, 0, 'no event stream, no poll');
  await page.context().close();
});

test('the event stream path (no WebSocket through): messages on /events drive the page to the end, without a single poll', { skip, timeout: 60_000 }, async () => {
  const page = await newPage('sv-SE');
  // A proxy that does not pass WebSockets: the socket closes before any message, and the page takes the event stream.
  await page.routeWebSocket('**/interaction/*/events*', (ws) => ws.close());
  // A stand-in for the broker's stream: each connection gets the real status as one message (the contract: default
  // event, data = the status JSON) and ends, and the browser connects again.
  let connections = 0;
  await page.route('**/interaction/*/events*', async (route) => {
    connections++;
    const status = await route.fetch({ url: route.request().url().replace('/events', '/status'), headers: { ...route.request().headers(), accept: 'application/json' } });
    await route.fulfill({ status: 200, headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-store' }, body: `retry: 250\ndata: ${await status.text()}\n\n` });
  });
  let polls = 0;
  page.on('request', (r) => { if (new URL(r.url()).pathname.endsWith('/status')) polls++; });
  await startQr(page);
  const first = await shownQr(page);
  assert.ok(first.matches);
  await page.waitForFunction((previous) => document.getElementById('qr-image')?.dataset.qr !== previous, first.qr, { timeout: 5000 });
  assert.ok((await shownQr(page)).matches, 'the streamed frame is drawn');
  await scanApproveAndFinish(page);
  assert.ok(connections >= 2, `stream connections: ${connections}`);
  assert.equal(polls, 0, 'no poll while the stream delivers');
  await page.context().close();
});

test("the CSP refuses a script the response did not name; the page's own nonced script runs", { skip, timeout: 60_000 }, async () => {
  const page = await newPage('sv-SE');
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { violations: string[] }).violations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.effectiveDirective} ${e.blockedURI}`));
  });
  await startQr(page);
  // Stands in for an injection into the QR page: a parser-inserted inline and external script without the nonce.
  // Routes see no request a redirect led to: the page is loaded again (the order stays).
  await page.route('**/interaction/*', async (route) => {
    if (route.request().resourceType() !== 'document') return route.fallback();
    const response = await route.fetch();
    const injected = '<script>document.documentElement.dataset.injected = "yes"</script><script src="/assets/qr.js"></script>';
    const body = (await response.text()).replace('</body>', `${injected}</body>`);
    // The fetch stored the page's cookies in the context already; the length is the new body's.
    const headers = Object.fromEntries(Object.entries(response.headers()).filter(([name]) => name !== 'content-length' && name !== 'set-cookie'));
    return route.fulfill({ status: response.status(), headers, body });
  });
  // The script's first act: its WebSocket (or, failing that, a request for the event stream or a poll).
  const scriptRan = new Promise<void>((resolve) => {
    page.on('websocket', () => resolve());
    page.on('request', (r) => { if (/\/interaction\/[\w-]+\/(events|status)/.test(r.url())) resolve(); });
  });
  await page.reload();
  assert.match(await page.content(), /dataset\.injected = "yes"/, 'the scripts were put into the page');
  await page.locator('#qr-image[data-qr^="bankid."] svg').waitFor();
  await scriptRan;
  assert.equal(await page.evaluate(() => document.documentElement.dataset.injected), undefined, 'the inline script did not run');
  // Reports are queued as tasks: wait for both (bounded), then see that there are no others.
  await page.waitForFunction(() => (window as unknown as { violations: string[] }).violations.length >= 2, undefined, { timeout: 5000 });
  const violations = await page.evaluate(() => (window as unknown as { violations: string[] }).violations);
  assert.deepEqual(violations.toSorted(), [`script-src-elem ${t.broker.url}/assets/qr.js`, 'script-src-elem inline'], violations.join(', '));
  await page.unrouteAll();
  await scanApproveAndFinish(page);
  await page.context().close();
});

test('without JavaScript the page refreshes itself with the server\'s QR image and the login completes', { skip, timeout: 120_000 }, async () => {
  const context = await browser.newContext({ locale: 'sv-SE', javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const images: string[] = [];
  page.on('request', (r) => { if (new URL(r.url()).pathname.endsWith('/qr.svg')) images.push(new URL(r.url()).searchParams.get('qr') ?? ''); });
  await startQr(page);
  const first = await shownQr(page);
  assert.ok(first.matches, 'the server\'s image is the QR code of the page\'s frame');
  assert.equal(await page.locator('#qr-image svg').count(), 0, 'nothing drawn into the page');
  assert.equal(await page.locator('#qr-image noscript img').getAttribute('alt'), textsFor('sv').qrAlt);
  assert.equal(await page.locator('#qr-pause').isHidden(), true, 'no script-only controls');
  await assertScreenShowsQr(page, 'qr-image-without-script.png');
  // The noscript meta refresh brings a new frame, and with it a new image.
  const next = await until(() => shownQr(page), (shown) => shown.qr !== first.qr, 'the page refreshes to a new frame', 100, 100);
  assert.ok(next.matches, 'the new image is the QR code of the new frame');
  assert.ok(images.includes(first.qr) && images.includes(next.qr), `the browser loaded each frame's image: ${images.join(', ')}`);
  await scanApproveAndFinish(page);
  await context.close();
});

test('with JavaScript the QR\'s box is there at first paint, the script draws the page\'s own frame into it and no image is asked for', { skip, timeout: 60_000 }, async () => {
  const page = await newPage('sv-SE');
  const images: string[] = [];
  page.on('request', (r) => { if (new URL(r.url()).pathname.endsWith('/qr.svg')) images.push(r.url()); });
  // Requests held until let go: first the page script, then the stream and the poll.
  const held = new Map<string, Route[]>();
  const hold = (pattern: string) => {
    held.set(pattern, []);
    return page.route(pattern, (route) => (held.get(pattern)?.push(route) ? undefined : route.fallback()));
  };
  const letGo = async (pattern: string) => {
    const routes = held.get(pattern)!;
    held.delete(pattern);
    for (const route of routes) await route.fallback();
  };
  await page.goto(`${t.broker.url}/demo`);
  await page.click('#login');
  await page.waitForURL(/\/interaction\//);
  await hold('**/assets/login.js');
  const sent = page.waitForResponse((r) => /^\/interaction\/[\w-]+$/.test(new URL(r.url()).pathname) && r.request().method() === 'GET');
  await page.click('button[data-method="qr"]');
  const html = await (await sent).text();
  assert.match(html, /data-qr="bankid\./);
  assert.doesNotMatch(html, /<svg/i, 'the page as sent carries no drawing of the QR');
  // Before the script: the figure and its controls are shown, the QR's box already its size.
  await page.locator('#qr').waitFor();
  // Where the QR and what follows it are (the controls grow by the script's own pause button, below their top).
  const box = async () => ({ image: await page.locator('#qr-image').boundingBox(), controlsTop: (await page.locator('.qr-controls').boundingBox())?.y });
  const firstPaint = await box();
  assert.ok(firstPaint.image && firstPaint.image.width >= 200 && Math.abs(firstPaint.image.height - firstPaint.image.width) < 1, JSON.stringify(firstPaint));
  const pageQr = await page.locator('#qr-image').getAttribute('data-qr');
  await hold('**/interaction/*/{events,status}*');
  // The script's first choice, the WebSocket, is held too (page.route does not see it): connected to the broker only
  // when let go, so no frame of the stream can be drawn before the check, however slow the machine.
  let letSocketsGo!: () => void;
  const socketsLetGo = new Promise<void>((resolve) => { letSocketsGo = resolve; });
  await page.routeWebSocket('**/interaction/*/events*', (ws) => { void socketsLetGo.then(() => ws.connectToServer()); });
  await letGo('**/assets/login.js');
  // Drawn with the stream still held: the frame is the page's own, and nothing below it moved.
  await page.locator('#qr-image svg').waitFor({ timeout: 5000 });
  const drawn = await shownQr(page);
  assert.ok(drawn.matches && drawn.qr === pageQr, `drew the page's frame ${pageQr}: ${JSON.stringify(drawn)}`);
  assert.deepEqual(await box(), firstPaint, 'no layout shift when the QR is drawn');
  letSocketsGo();
  await letGo('**/interaction/*/{events,status}*');
  await assertScreenShowsQr(page, 'qr-first-frame-by-script.png');
  await scanApproveAndFinish(page);
  assert.deepEqual(images, [], 'a browser with JavaScript never asks for the server\'s image');
  await page.context().close();
});
