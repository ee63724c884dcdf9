/**
 * The broker's pages for the unhappy paths, from the outside over HTTP: unknown addresses, a request that fails
 * inside, the request id that ties a page to the log, the icon, and a cancelled login as the demo app shows it.
 */
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { after, before, test } from 'node:test';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';
import { field, HttpBrowser, type Step } from '../helpers/http-browser.ts';

let t: TestBroker;
let failQueries = false; // while set, every database query fails: an unexpected error inside a request

before(async () => {
  t = await startTestBroker({}, {}, () => {
    if (failQueries) throw new Error('the database is unreachable (test)');
  });
});
after(async () => { await t?.close(); });

const html = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

function pageParts(body: string) {
  return {
    lang: /<html lang="([^"]*)"/.exec(body)?.[1],
    title: /<title>([^<]*)<\/title>/.exec(body)?.[1],
    alert: /role="alert">([^<]*)</.exec(body)?.[1],
    requestId: /id="request-id">([^<]*)</.exec(body)?.[1],
    home: /<a href="([^"]*)" id="home">/.exec(body)?.[1],
  };
}

/** The "request failed" log line of one request. */
function logLineOf(requestId: string): Record<string, unknown> | undefined {
  return t.logLines.map((line) => JSON.parse(line) as Record<string, unknown>)
    .find((line) => line.msg === 'request failed' && line.requestId === requestId);
}

test('an unknown address gets a page in the person\'s language, with a title, a way home and the request id', async () => {
  const sv = await fetch(`${t.broker.url}/no/such/page`, { headers: { ...html, 'accept-language': 'sv-SE,sv;q=0.9,en;q=0.8' } });
  assert.equal(sv.status, 404);
  assert.match(sv.headers.get('content-type')!, /^text\/html/);
  const svPage = pageParts(await sv.text());
  assert.deepEqual({ ...svPage, requestId: undefined }, {
    lang: 'sv', title: 'Något gick fel', alert: 'Sidan finns inte. Kontrollera adressen.', requestId: undefined, home: '/demo',
  });
  assert.equal(svPage.requestId, sv.headers.get('x-request-id'));
  assert.match(svPage.requestId!, /^[0-9a-f]{8}$/);
  assert.partialDeepStrictEqual(logLineOf(svPage.requestId!), { level: 30, method: 'GET', path: '/no/such/page', status: 404 });

  // ?lang= wins over the browser's languages; the page offers the other language on the same address.
  const en = await fetch(`${t.broker.url}/no/such/page?lang=en`, { headers: { ...html, 'accept-language': 'sv' } });
  const enBody = await en.text();
  assert.equal(en.status, 404);
  assert.deepEqual({ ...pageParts(enBody), requestId: undefined }, {
    lang: 'en', title: 'Something went wrong', alert: 'The page does not exist. Check the address.', requestId: undefined, home: '/demo',
  });
  assert.match(enBody, /<a href="\?lang=sv" lang="sv">På svenska<\/a>/);
  assert.match(enBody, /Reference: <code id="request-id">[0-9a-f]{8}<\/code>/);
});

test('an unknown address asked for by a program gets JSON', async () => {
  const programs: Record<string, string>[] = [{ accept: 'application/json' }, {}, { accept: '*/*', 'accept-language': 'en' }];
  for (const headers of programs) {
    const response = await fetch(`${t.broker.url}/api/nothing`, { headers });
    assert.equal(response.status, 404);
    assert.match(response.headers.get('content-type')!, /^application\/json/);
    assert.ok(response.headers.get('x-request-id'));
    const body = await response.json() as { error: string; message: string };
    assert.equal(body.error, 'not_found');
    assert.equal(body.message, 'accept-language' in headers ? 'The page does not exist. Check the address.' : 'Sidan finns inte. Kontrollera adressen.');
  }
});

test('the provider\'s own routes still answer, including its own error page', async () => {
  const discovery = await fetch(`${t.broker.url}/.well-known/openid-configuration`);
  assert.equal(discovery.status, 200);
  assert.equal((await discovery.json() as { issuer: string }).issuer, t.broker.url);
  assert.equal((await fetch(`${t.broker.url}/jwks`)).status, 200);
  const bad = await fetch(`${t.broker.url}/auth?client_id=brygga-demo&redirect_uri=https://evil.example/&response_type=code&scope=openid`, { headers: html });
  assert.equal(bad.status, 400);
  const body = await bad.text();
  assert.match(body, /Tjänsten skickade en felaktig begäran/);
  assert.doesNotMatch(body, /Sidan finns inte/);
  assert.ok(logLineOf(bad.headers.get('x-request-id')!), 'the failed provider request is logged with its id');
});

test('a proxy\'s request id or trace id is kept; anything malformed is replaced by a short one of ours', async () => {
  const id = async (headers: Record<string, string>) => {
    const response = await fetch(`${t.broker.url}/missing`, { headers: { ...html, ...headers } });
    const shown = pageParts(await response.text()).requestId;
    assert.equal(shown, response.headers.get('x-request-id'));
    return shown;
  };
  assert.equal(await id({ 'x-request-id': 'edge-7f3a.1' }), 'edge-7f3a.1');
  const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  assert.equal(await id({ traceparent }), '4bf92f3577b34da6a3ce929d0e0e4736');
  assert.equal(await id({ 'x-request-id': 'edge-1', traceparent }), 'edge-1');
  const malformed: Record<string, string>[] = [
    { 'x-request-id': '<script>alert(1)</script>' },
    { 'x-request-id': 'a'.repeat(65) },
    { traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' },
    { traceparent: 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    { traceparent: 'not a traceparent' },
  ];
  for (const headers of malformed) {
    assert.match(String(await id(headers)), /^[0-9a-f]{8}$/, JSON.stringify(headers));
  }
});

test('a request that fails inside gets the technical-error page, and its log line names the request id', async () => {
  const browser = new HttpBrowser();
  const interaction = await browser.follow(await browser.post(`${t.broker.url}/demo/login`, { 'scope:profile': 'on' }));
  assert.match(interaction.url, /\/interaction\/[\w-]+$/);
  let failed: Step;
  failQueries = true;
  try {
    failed = await browser.get(interaction.url, html);
  } finally {
    failQueries = false;
  }
  assert.equal(failed.status, 500);
  assert.match(failed.headers.get('content-type')!, /^text\/html/);
  const page = pageParts(failed.body);
  assert.equal(page.lang, 'sv');
  assert.equal(page.alert, 'Ett tekniskt fel uppstod. Gå tillbaka till tjänsten och försök igen.');
  assert.doesNotMatch(failed.body, /unreachable/, 'the cause is for the log, not the page');
  assert.equal(page.requestId, failed.headers.get('x-request-id'));
  const line = logLineOf(page.requestId!);
  assert.partialDeepStrictEqual(line, { level: 50, status: 500 });
  assert.match(JSON.stringify(line!.err), /unreachable/);
});

test('the icon is served, so no browser asks in vain', async () => {
  for (const path of ['/favicon.ico', '/assets/favicon.svg']) {
    const response = await fetch(`${t.broker.url}${path}`);
    assert.equal(response.status, 200, path);
    assert.equal(response.headers.get('content-type'), 'image/svg+xml');
    assert.match(await response.text(), /^<svg /);
  }
  assert.match(await (await fetch(`${t.broker.url}/demo`)).text(), /<link rel="icon" href="\/assets\/favicon.svg"/);
});

function conditionalGet(path: string, etag: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(`${t.broker.url}${path}`, { headers: { 'if-none-match': etag } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => { body += chunk; }).on('end', () => resolve({ status: res.statusCode!, body }));
    }).on('error', reject);
  });
}

test('assets are revalidated on every page load: unchanged, a 304 without a body', async () => {
  for (const path of ['/assets/login.js', '/assets/qr.js', '/assets/brygga.css']) {
    const first = await fetch(`${t.broker.url}${path}`);
    assert.equal(first.status, 200, path);
    assert.equal(first.headers.get('cache-control'), 'public, no-cache', path);
    const etag = first.headers.get('etag');
    assert.match(etag ?? '', /^"[\w-]{22}"$/, path);
    assert.ok((await first.text()).length > 0);
    // As a browser's cache revalidates (fetch() would add `Cache-Control: no-cache` to a conditional request).
    assert.deepEqual(await conditionalGet(path, etag!), { status: 304, body: '' }, path);
    assert.equal((await conditionalGet(path, '"an-older-version"')).status, 200, path);
  }
});

for (const [lang, sentence, code] of [
  ['en', 'The login was cancelled. You can try again.', 'Error code to the service'],
  ['sv', 'Inloggningen avbröts. Du kan försöka igen.', 'Felkod till tjänsten'],
] as const) {
  test(`a cancelled login returns to the demo with a sentence in its language (${lang})`, async () => {
    // The browser asks for the other language: the choice made on the demo page outlives the round trip.
    const browser = new HttpBrowser({ headers: { 'accept-language': lang === 'en' ? 'sv' : 'en' } });
    assert.equal((await browser.get(`${t.broker.url}/demo?lang=${lang}`)).status, 200);
    const login = await browser.follow(await browser.post(`${t.broker.url}/demo/login`, { 'scope:profile': 'on' }));
    assert.match(login.url, /\/interaction\/[\w-]+$/);
    assert.match(login.body, new RegExp(`<html lang="${lang}">`));
    const back = await browser.follow(await browser.post(`${login.url}/abort`, { csrf: field(login.body, 'csrf') }));
    assert.equal(back.url, `${t.broker.url}/demo`);
    assert.match(back.body, new RegExp(`<html lang="${lang}">`));
    const error = /<div role="alert" id="demo-error">([\s\S]*?)<\/div>/.exec(back.body)?.[1];
    assert.ok(error, back.body);
    assert.match(error, new RegExp(`<p class="message error">${sentence}</p>`));
    assert.match(error, new RegExp(`${code}: <code>access_denied</code>`));
    assert.doesNotMatch(back.body, /The user cancel|aborted/i, 'no protocol text from the provider');
  });
}
