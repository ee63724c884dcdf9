import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseCsp, violations } from './csp.ts';
import { base64, collect, control, startOrder, startTestSimulator, type TestSimulator } from './support.ts';

let t: TestSimulator;
before(async () => { t = await startTestSimulator(); });
after(async () => { await t.close(); });

async function page(query = '', headers: Record<string, string> = {}): Promise<{ status: number; html: string; headers: Headers }> {
  const response = await fetch(`${t.sim.controlUrl}/${query}`, { headers, signal: AbortSignal.timeout(10_000) });
  return { status: response.status, html: await response.text(), headers: response.headers };
}

/** Posts an HTML form the way a browser does, without following the redirect. */
async function submit(path: string, fields: Record<string, string>, origin = t.sim.controlUrl): Promise<Response> {
  return fetch(`${t.sim.controlUrl}${path}`, {
    method: 'POST',
    redirect: 'manual',
    signal: AbortSignal.timeout(10_000),
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
    body: new URLSearchParams(fields).toString(),
  });
}

test('the page speaks Swedish or English by ?lang and Accept-Language', async () => {
  const cases: { query: string; headers: Record<string, string>; lang: string; text: string }[] = [
    { query: '?lang=sv', headers: {}, lang: 'sv', text: 'Skanna QR-kod' },
    { query: '?lang=en', headers: { 'accept-language': 'sv-SE' }, lang: 'en', text: 'Scan QR code' },
    { query: '', headers: { 'accept-language': 'en-GB,en;q=0.9,sv;q=0.5' }, lang: 'en', text: 'Scan QR code' },
    { query: '', headers: { 'accept-language': 'de-DE, sv;q=0.7, en;q=0.3' }, lang: 'sv', text: 'Skanna QR-kod' },
    { query: '', headers: {}, lang: 'sv', text: 'Pågående' },
  ];
  for (const c of cases) {
    const reply = await page(c.query, c.headers);
    assert.equal(reply.status, 200);
    assert.match(reply.headers.get('content-type')!, /^text\/html; charset=utf-8/);
    assert.match(reply.html, new RegExp(`<html lang="${c.lang}">`));
    assert.ok(reply.html.includes(c.text), `${c.query} ${JSON.stringify(c.headers)}`);
  }
});

test('the page loads only its own stylesheet and script (by a nonce new in every response), and sends nothing inline', async () => {
  const [reply, again] = [await page(), await page()];
  const nonce = /^default-src 'none'; style-src 'self'; script-src 'nonce-([A-Za-z0-9+/]{22}==)' 'strict-dynamic' 'self'; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'$/.exec(reply.headers.get('content-security-policy')!)?.[1];
  assert.ok(nonce, reply.headers.get('content-security-policy')!);
  assert.ok(!again.headers.get('content-security-policy')!.includes(nonce), 'another nonce in the next response');
  assert.ok(reply.html.includes('<link rel="stylesheet" href="/app.css">'));
  assert.deepEqual([...reply.html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]), [`<script src="/app.js" nonce="${nonce}">`]);
  assert.doesNotMatch(reply.html, /<style|<img |@import|url\(/);
  for (const [path, type, sample] of [['/app.css', 'text/css; charset=utf-8', '.card {'], ['/app.js', 'text/javascript; charset=utf-8', 'DOMParser']] as const) {
    const asset = await fetch(`${t.sim.controlUrl}${path}`, { signal: AbortSignal.timeout(10_000) });
    assert.equal(asset.status, 200, path);
    assert.equal(asset.headers.get('content-type'), type);
    assert.equal(asset.headers.get('x-content-type-options'), 'nosniff');
    assert.ok((await asset.text()).includes(sample), path);
  }
});

test('nothing on the page breaks its CSP, nor in the fresh copy the refresh parses under the same policy', async () => {
  const pending = await startOrder(t.sim, 'sign', { userVisibleData: base64('Avtal') });
  const finished = await startOrder(t.sim, 'auth', { returnUrl: 'https://rp.example/back' });
  await control(t.sim, 'POST', '/sim/app/open', { autoStartToken: finished.autoStartToken });
  await control(t.sim, 'POST', `/sim/orders/${finished.orderRef}/approve`, {});
  const first = await page('?lang=en');
  const csp = parseCsp(first.headers.get('content-security-policy')!);
  // The check itself can fail: what the old page did (a nonce'd <style>, re-parsed with another nonce) is caught.
  assert.deepEqual(violations('<style nonce="abc">p{}</style><p style="color:red" onclick="x()">', csp), ['<style> element', 'style attribute on <p>', 'onclick on <p>']);
  assert.ok(first.html.includes(`data-order-ref="${pending.orderRef}"`) && first.html.includes('href="https://rp.example/back"'), 'both lists are filled');
  assert.deepEqual(violations(first.html, csp), []);
  const refreshed = await page('?lang=en');
  assert.deepEqual(violations(refreshed.html, csp), []);
  const refused = await submit('/sim/app/scan', { lang: 'en', qr: 'bankid.nonsense' });
  assert.deepEqual(violations(await refused.text(), parseCsp(refused.headers.get('content-security-policy')!)), []);
  await control(t.sim, 'POST', `/sim/orders/${pending.orderRef}/cancel`);
});

test('texts from the RP are escaped and shown line by line', async () => {
  const order = await startOrder(t.sim, 'sign', { userVisibleData: base64('<script>alert("x")</script>\r\n**Belopp:** 100 kr & moms'), userVisibleDataFormat: 'simpleMarkdownV1' });
  const reply = await page('?lang=sv');
  assert.ok(reply.html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>**Belopp:** 100 kr &amp; moms'));
  assert.doesNotMatch(reply.html, /<script>alert/);
  assert.ok(reply.html.includes(`data-order-ref="${order.orderRef}"`));
  assert.ok(reply.html.includes('Test av BankID'));
  assert.ok(reply.html.includes('Underskrift'));
  await control(t.sim, 'POST', `/sim/orders/${order.orderRef}/cancel`);
});

test('form flow: choose the order, pick a test person, identify; redirects back to the page', async () => {
  const order = await startOrder(t.sim, 'auth');
  const chosen = await submit(`/sim/orders/${order.orderRef}/scan`, { lang: 'en' });
  assert.equal(chosen.status, 303);
  assert.equal(chosen.headers.get('location'), '/?lang=en');
  const pending = await page('?lang=en');
  const card = pending.html.slice(pending.html.indexOf(`data-order-ref="${order.orderRef}"`));
  assert.match(card.slice(0, card.indexOf('</article>')), /<button type="submit">Identify<\/button>/);

  const approved = await submit(`/sim/orders/${order.orderRef}/approve`, { lang: 'en', personalNumber: '191212121212', risk: 'low' });
  assert.equal(approved.status, 303);
  const done = await collect(t.sim, order.orderRef);
  assert.equal(done.json.status, 'complete');
  assert.equal(done.json.completionData.user.personalNumber, '191212121212');
  assert.ok((await page('?lang=sv')).html.includes('Klar — Tolvina Tolvansson'));
});

test('form flow: scan by pasting the QR text, then "Skriv under"', async () => {
  const order = await startOrder(t.sim, 'sign', { userVisibleData: base64('Avtal') });
  const summary = (await control(t.sim, 'GET', `/sim/orders/${order.orderRef}`)).json;
  assert.equal((await submit('/sim/app/scan', { lang: 'sv', qr: summary.qr, personalNumber: '199908672398' })).status, 303);
  assert.match((await page('?lang=sv')).html, /<button type="submit">Skriv under<\/button>/);
  assert.equal((await submit(`/sim/orders/${order.orderRef}/approve`, { lang: 'sv', personalNumber: '199908672398' })).status, 303);
  assert.equal((await collect(t.sim, order.orderRef)).json.completionData.user.surname, 'Samordnad');
});

test('form flow on the same device returns the user to the order\'s returnUrl', async () => {
  const order = await startOrder(t.sim, 'auth', { returnUrl: 'https://rp.example/resume?state=s1' });
  assert.equal((await submit('/sim/app/open', { lang: 'sv', autoStartToken: order.autoStartToken })).status, 303);
  const approved = await submit(`/sim/orders/${order.orderRef}/approve`, { lang: 'sv' });
  assert.equal(approved.status, 303);
  assert.equal(approved.headers.get('location'), 'https://rp.example/resume?state=s1');
  assert.ok((await page('?lang=sv')).html.includes('href="https://rp.example/resume?state=s1"'));
});

test('a refused form shows the reason on the page; a form from another site is refused', async () => {
  const bad = await submit('/sim/app/scan', { lang: 'en', qr: 'bankid.nonsense' });
  assert.equal(bad.status, 400);
  const html = await bad.text();
  assert.match(html, /<p class="error" role="alert">not a BankID QR code<\/p>/);
  const order = await startOrder(t.sim, 'auth');
  const crossSite = await submit(`/sim/orders/${order.orderRef}/approve`, {}, 'https://evil.example');
  assert.equal(crossSite.status, 403);
  assert.equal((await collect(t.sim, order.orderRef)).json.status, 'pending');
});
