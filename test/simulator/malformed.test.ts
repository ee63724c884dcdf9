/** Malformed requests get a 4xx with a reason from both simulator servers, never a 500 or a crash. */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { control, startOrder, startTestSimulator, type TestSimulator } from './support.ts';

let t: TestSimulator;
before(async () => { t = await startTestSimulator(); });
after(async () => { await t.close(); });

interface Raw {
  method?: string;
  /** Sent as is: fetch and URL would normalise it. */
  path: string;
  contentType?: string;
  body?: string;
}

/** One request with a verbatim request target; resolves with the status and the body (JSON, or the app page for forms). */
function raw(server: 'control' | 'rp', r: Raw): Promise<{ status: number; type: string; text: string }> {
  const base = new URL(server === 'control' ? t.sim.controlUrl : t.sim.apiUrl);
  const tls = server === 'rp' ? { ca: t.sim.caPem, pfx: readFileSync(t.sim.rpP12File), passphrase: t.sim.rpP12Passphrase } : {};
  const send = server === 'rp' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send({
      host: base.hostname, port: base.port, path: r.path, method: r.method ?? 'GET', agent: false, ...tls,
      headers: r.contentType ? { 'content-type': r.contentType } : {},
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type']!, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(r.body);
  });
}

test('the control server answers malformed targets, queries, forms and JSON with a 4xx and a message', async () => {
  const order = await startOrder(t.sim, 'auth');
  const json = 'application/json';
  const form = 'application/x-www-form-urlencoded';
  const cases: (Raw & { status: number; error: RegExp })[] = [
    { path: '*', method: 'OPTIONS', status: 400, error: /request target must be a path/ },
    { path: '//', status: 404, error: /not found/ },
    { path: '/?lang=en&lang=sv', status: 400, error: /query parameter lang is given more than once/ },
    { path: '/?lang=de', status: 400, error: /lang must be sv or en/ },
    { path: '/?lang=%E0%A4%A', status: 400, error: /lang must be sv or en/ },
    { path: '/sim/orders?x=1&x=2', status: 400, error: /query parameter x is given more than once/ },
    { path: '/sim/orders/%E0%A4%A', status: 400, error: /percent-encoding/ },
    { path: '/sim/faults', method: 'POST', contentType: json, body: '{"endpoint":', status: 400, error: /not a JSON object/ },
    { path: '/sim/faults', method: 'POST', contentType: json, body: 'null', status: 400, error: /not a JSON object/ },
    { path: '/sim/faults', method: 'POST', contentType: json, body: '[1]', status: 400, error: /not a JSON object/ },
    { path: '/sim/faults', method: 'POST', contentType: json, body: '{"endpoint":"auth","status":1e999}', status: 400, error: /status/ },
    { path: '/sim/faults', method: 'POST', contentType: json, body: '{"__proto__":{"status":503},"endpoint":"auth"}', status: 400, error: /delayMs/ },
    { path: '/sim/faults', method: 'POST', contentType: json, body: `${'['.repeat(5000)}${']'.repeat(5000)}`, status: 400, error: /not a JSON object/ },
    { path: '/sim/faults', method: 'POST', contentType: json, body: `{"endpoint":"auth","pad":"${'x'.repeat(70_000)}"}`, status: 413, error: /too large/ },
    { path: `/sim/orders/${order.orderRef}/approve`, method: 'POST', contentType: form, body: 'risk=low&risk=high', status: 400, error: /form field risk is given more than once/ },
    { path: '/sim/app/scan', method: 'POST', contentType: form, body: 'qr=%ZZ', status: 400, error: /not a BankID QR code/ },
    { path: '/sim/rp-certificates/abc', method: 'POST', contentType: json, body: '{"status":"revoked"}', status: 400, error: /fingerprint/ },
    { path: `/sim/rp-certificates/${'a'.repeat(64)}`, method: 'POST', contentType: json, body: '{"status":"lost"}', status: 400, error: /status/ },
  ];
  for (const c of cases) {
    const reply = await raw('control', c);
    assert.equal(reply.status, c.status, `${c.path}: ${reply.text.slice(0, 200)}`);
    // A refused form is shown the page with the reason, as a browser needs it; everything else gets {"error"}.
    const message = c.contentType === form
      ? /<p class="error" role="alert">([^<]*)<\/p>/.exec(reply.text)![1]!
      : (JSON.parse(reply.text) as { error: string }).error;
    assert.equal(reply.type, c.contentType === form ? 'text/html; charset=utf-8' : 'application/json', c.path);
    assert.match(message, c.error, c.path);
  }
  assert.equal((await control(t.sim, 'GET', `/sim/orders/${order.orderRef}`)).json.status, 'pending', 'still serving, nothing changed');
});

test('the RP API answers a request target that is not one of its paths with notFound', async () => {
  for (const path of ['//', '//rp/v6.0/auth', '/rp/v6.0/auth/../../x', '/rp/v6.0/%E0%A4%A']) {
    const reply = await raw('rp', { path, method: 'POST', contentType: 'application/json', body: '{}' });
    assert.equal(reply.status, 404, path);
    const json = JSON.parse(reply.text) as Record<string, unknown>;
    assert.deepEqual(Object.keys(json).sort(), ['details', 'errorCode']);
    assert.equal(json.errorCode, 'notFound');
  }
});
