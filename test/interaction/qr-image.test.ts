/**
 * The order page's QR costs the server no drawing per render (issue 7): the page carries the frame's string, which
 * the page script draws, and for browsers without JavaScript a noscript image whose URL carries the frame and a MAC
 * over it and the login. The image route draws only such frames, statelessly: no cookie, no statement.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import { CATALOGUE } from '../../src/errors/catalogue.ts';
import { textsFor } from '../../src/i18n/texts.ts';
import { interactionMac } from '../../src/interaction/browser.ts';
import { issuedQr } from '../../src/interaction/qr-image.ts';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';
import { field, HttpBrowser } from '../helpers/http-browser.ts';
import { isQrOf, modulesOfSvg } from '../helpers/qr-matrix.ts';
import { authorize, discover, interactionUid } from '../helpers/rp.ts';

const secret = 'qr-image-secret-0123456789abcdefghijk';
let t: TestBroker;
let rp: oidc.Configuration;
let recording = false;
const statements: string[] = [];

before(async () => {
  // No collector: its claims (every 250 ms) are the only statements a broker makes by itself within a request's time.
  t = await startTestBroker({ BANKID_COLLECT_CONCURRENCY: '0' }, {}, (statement) => { if (recording) statements.push(statement); });
  await t.broker.clients.save({ client_id: 'qr-image-rp', client_secret: secret, client_name: 'QR image', redirect_uris: ['https://rp.example/callback'], brygga_first_party: true, scope: 'openid' });
  rp = await discover(t, 'qr-image-rp', oidc.ClientSecretBasic(secret));
});
after(async () => { await t?.close(); });

/** A login in English up to its QR order's page: the page, the frame it names, and its noscript image. */
async function orderPage() {
  const auth = await authorize(t, rp, { ui_locales: 'en' });
  const uid = interactionUid(auth.step);
  const started = await auth.browser.post(`${t.broker.url}/interaction/${uid}/start`, { csrf: field(auth.step.body, 'csrf'), method: 'qr' });
  assert.equal(started.status, 303, started.body);
  const page = await auth.browser.follow(started);
  assert.equal(page.status, 200, page.body);
  const qr = /<div id="qr-image" [^>]*data-qr="(bankid\.[^"]+)">/.exec(page.body)?.[1];
  const img = /<noscript><img src="([^"]+)" alt="([^"]+)" width="240" height="240"><\/noscript><\/div>/.exec(page.body);
  assert.ok(qr && img, `a QR page with its frame and noscript image: ${page.body}`);
  return { uid, html: page.body, qr, image: new URL(img[1]!.replaceAll('&amp;', '&'), t.broker.url), alt: img[2]! };
}

/** The image route's answer, from a browser that never saw the login (no cookie: the URL alone must do). */
const fetchImage = (url: URL | string) => new HttpBrowser().get(new URL(url, t.broker.url).href, { 'accept-language': 'en' });

test('the order page draws no QR itself; its noscript image is exactly the page\'s frame, drawn from the URL alone', async () => {
  const page = await orderPage();
  assert.doesNotMatch(page.html, /<svg/i, 'no QR drawn into the page');
  assert.equal(page.alt, textsFor('en').qrAlt);
  assert.equal(page.image.pathname, `/interaction/${page.uid}/qr.svg`);
  assert.equal(page.image.searchParams.get('qr'), page.qr);

  statements.length = 0;
  recording = true;
  const image = await fetchImage(page.image);
  recording = false;
  assert.equal(image.status, 200, image.body);
  assert.equal(image.headers.get('content-type'), 'image/svg+xml');
  assert.equal(image.headers.get('cache-control'), 'no-store');
  assert.equal(image.headers.get('x-content-type-options'), 'nosniff');
  assert.match(image.headers.get('content-security-policy') ?? '', /default-src 'none';/);
  assert.ok(isQrOf(modulesOfSvg(image.body), page.qr), `the image is the QR code of ${page.qr}`);
  assert.deepEqual(statements, [], 'the image costs no statement');
});

test('only a frame the broker put on that login\'s page is drawn: any other text, uid or MAC is a 400 with a short text', async () => {
  const [a, b] = [await orderPage(), await orderPage()];
  const mac = a.image.searchParams.get('mac')!;
  const [, token, seconds, code] = a.qr.split('.');
  const query = (params: [string, string][]) => `/interaction/${a.uid}/qr.svg?${new URLSearchParams(params)}`;
  const refused: [string, string][] = [
    ['a tampered MAC', query([['qr', a.qr], ['mac', `${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`]])],
    ['another login\'s uid', `/interaction/${b.uid}/qr.svg${a.image.search}`],
    ['another login\'s frame', query([['qr', b.qr], ['mac', mac]])],
    ['a later frame of the same order', query([['qr', `bankid.${token}.${Number(seconds) + 1}.${code}`], ['mac', mac]])],
    ['the frame with a space', query([['qr', `${a.qr} `], ['mac', mac]])],
    ['any text', query([['qr', 'https://evil.example/'], ['mac', mac]])],
    ['no MAC', query([['qr', a.qr]])],
    ['no frame', query([['mac', mac]])],
    ['the frame twice', query([['qr', a.qr], ['qr', a.qr], ['mac', mac]])],
  ];
  for (const [what, url] of refused) {
    const answer = await fetchImage(url);
    assert.equal(answer.status, 400, `${what}: ${answer.status} ${answer.body.slice(0, 80)}`);
    assert.match(answer.headers.get('content-type') ?? '', /^text\/plain/, what);
    assert.equal(answer.body, CATALOGUE.qr_image_invalid.text.en, what);
  }
  // Both logins' own images are still drawn.
  for (const page of [a, b]) assert.ok(isQrOf(modulesOfSvg((await fetchImage(page.image)).body), page.qr));
});

test('a right MAC is not enough: only a BankID frame, exactly as issued, is ever drawn', () => {
  const key = 'a-cookie-key-0123456789abcdefghijklmnopq';
  const frame = 'bankid.67df3917-fa0d-44e5-b327-edcc928297f8.0.dc69358e712458a66a7525beef148ae8526b1c71610eff2c16cdffb4cdac9bf8';
  assert.equal(issuedQr(key, 'uid-1', frame, interactionMac(key, 'qr', 'uid-1', frame)), true);
  for (const text of ['https://evil.example/', `${frame}:x`, ` ${frame}`, `${frame}\n`]) {
    assert.equal(issuedQr(key, 'uid-1', text, interactionMac(key, 'qr', 'uid-1', text)), false, JSON.stringify(text));
  }
  // The CSRF token of the same login is no MAC of a frame.
  assert.equal(issuedQr(key, 'uid-1', frame, interactionMac(key, 'csrf', 'uid-1', frame)), false);
});
