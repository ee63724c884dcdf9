import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectDevice, launchUrl } from '../../src/bankid/launch.ts';

const UA = {
  iosSafari: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  iosChrome: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/123.0.6312.52 Mobile/15E148 Safari/604.1',
  iosFirefox: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/124.0 Mobile/15E148 Safari/605.1.15',
  androidChrome: 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Mobile Safari/537.36',
  androidEdge: 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Mobile Safari/537.36 EdgA/123.0.2420.56',
  androidSamsung: 'Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36',
  androidFirefox: 'Mozilla/5.0 (Android 14; Mobile; rv:124.0) Gecko/124.0 Firefox/124.0',
  androidOldChrome: 'Mozilla/5.0 (Linux; Android 5.1.1; SM-G531F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/95.0.4638.74 Mobile Safari/537.36',
  windowsChrome: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36',
  windowsEdge: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36 Edg/123.0.2420.65',
  macSafari: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  linuxFirefox: 'Mozilla/5.0 (X11; Linux x86_64; rv:124.0) Gecko/20100101 Firefox/124.0',
  operaDesktop: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 OPR/108.0.0.0',
};

const TOKEN = '7c40b5c9-fa74-49cf-b98c-bfe651f9a7c6';
const PAGE = 'https://login.example.se/interaction/abc?x=1#initiated=true';

test('detectDevice recognises os, browser and mobility', () => {
  assert.deepEqual(detectDevice(UA.iosSafari), { mobile: true, os: 'ios', browser: 'safari' });
  assert.deepEqual(detectDevice(UA.iosChrome), { mobile: true, os: 'ios', browser: 'chrome' });
  assert.deepEqual(detectDevice(UA.iosFirefox), { mobile: true, os: 'ios', browser: 'firefox' });
  assert.deepEqual(detectDevice(UA.androidChrome), { mobile: true, os: 'android', browser: 'chrome' });
  assert.deepEqual(detectDevice(UA.androidEdge), { mobile: true, os: 'android', browser: 'edge' });
  assert.deepEqual(detectDevice(UA.androidSamsung), { mobile: true, os: 'android', browser: 'samsung' });
  assert.deepEqual(detectDevice(UA.androidFirefox), { mobile: true, os: 'android', browser: 'firefox' });
  assert.deepEqual(detectDevice(UA.windowsChrome), { mobile: false, os: 'windows', browser: 'chrome' });
  assert.deepEqual(detectDevice(UA.windowsEdge), { mobile: false, os: 'windows', browser: 'edge' });
  assert.deepEqual(detectDevice(UA.macSafari), { mobile: false, os: 'macos', browser: 'safari' });
  assert.deepEqual(detectDevice(UA.linuxFirefox), { mobile: false, os: 'linux', browser: 'firefox' });
  assert.deepEqual(detectDevice(UA.operaDesktop), { mobile: false, os: 'windows', browser: 'opera' });
  assert.deepEqual(detectDevice(''), { mobile: false, os: 'other', browser: 'other' });
});

test('iOS Safari: universal link back to the page', () => {
  assert.deepEqual(launchUrl({ autoStartToken: TOKEN, userAgent: UA.iosSafari, returnUrl: PAGE }), {
    url: `https://app.bankid.com/?autostarttoken=${TOKEN}&redirect=${encodeURIComponent(PAGE)}`,
    kind: 'universal',
    requiresUserGesture: true,
  });
  const back = new URL(launchUrl({ autoStartToken: TOKEN, userAgent: UA.iosSafari, returnUrl: PAGE }).url).searchParams.get('redirect');
  assert.equal(back, PAGE);
});

test('iOS Chrome and Firefox: universal link back to the browser app', () => {
  assert.equal(launchUrl({ autoStartToken: TOKEN, userAgent: UA.iosChrome, returnUrl: PAGE }).url,
    `https://app.bankid.com/?autostarttoken=${TOKEN}&redirect=googlechrome%3A%2F%2F`);
  assert.equal(launchUrl({ autoStartToken: TOKEN, userAgent: UA.iosFirefox, returnUrl: PAGE }).url,
    `https://app.bankid.com/?autostarttoken=${TOKEN}&redirect=firefox%3A%2F%2F`);
});

test('Android Chrome and Edge: universal link, redirect=null, user gesture needed', () => {
  for (const userAgent of [UA.androidChrome, UA.androidEdge]) {
    assert.deepEqual(launchUrl({ autoStartToken: TOKEN, userAgent, returnUrl: PAGE }), {
      url: `https://app.bankid.com/?autostarttoken=${TOKEN}&redirect=null`,
      kind: 'universal',
      requiresUserGesture: true,
    });
  }
});

test('Firefox on Android, Samsung Internet and Android before 6: the bankid scheme', () => {
  assert.deepEqual(launchUrl({ autoStartToken: TOKEN, userAgent: UA.androidFirefox }), {
    url: `bankid:///?autostarttoken=${TOKEN}&redirect=null`,
    kind: 'scheme',
    requiresUserGesture: false,
  });
  assert.deepEqual(launchUrl({ autoStartToken: TOKEN, userAgent: UA.androidSamsung }), {
    url: `bankid:///?autostarttoken=${TOKEN}&redirect=null`,
    kind: 'scheme',
    requiresUserGesture: true,
  });
  assert.equal(launchUrl({ autoStartToken: TOKEN, userAgent: UA.androidOldChrome }).kind, 'scheme');
});

test('desktop browsers: the bankid scheme with redirect=null, whatever the returnUrl', () => {
  for (const userAgent of [UA.windowsChrome, UA.windowsEdge, UA.macSafari, UA.linuxFirefox, UA.operaDesktop]) {
    assert.deepEqual(launchUrl({ autoStartToken: TOKEN, userAgent, returnUrl: PAGE }), {
      url: `bankid:///?autostarttoken=${TOKEN}&redirect=null`,
      kind: 'scheme',
      requiresUserGesture: false,
    }, userAgent);
  }
});

test('tokens are URL-encoded and the links parse', () => {
  const { url } = launchUrl({ autoStartToken: 'a&b=c', userAgent: UA.iosSafari });
  assert.equal(new URL(url).searchParams.get('autostarttoken'), 'a&b=c');
  assert.equal(new URL(url).searchParams.get('redirect'), 'null');
});
