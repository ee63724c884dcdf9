/**
 * Oversize requests on a keep-alive connection: the refusal goes out, and the connection then either carries the
 * next request promptly (a small remainder is drained) or is closed cleanly (a large or endless upload) — never a
 * hang or a reset before the answer. Driven over raw TCP so the test decides what arrives when.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';
import { RawConnection } from './raw-connection.ts';

let t: TestBroker;
let host: string;
before(async () => {
  t = await startTestBroker();
  host = new URL(t.broker.url).host;
});
after(async () => { await t?.close(); });

const formHead = (path: string, length: number) =>
  `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${length}\r\n\r\n`;
const healthz = () => `GET /healthz HTTP/1.1\r\nHost: ${host}\r\n\r\n`;

test('a 413 while the form is still arriving says Connection: close, and the connection ends at once instead of hanging', async () => {
  const body = `csrf=x&method=${'q'.repeat(100_000)}`;
  const connection = await RawConnection.open(t.broker.port);
  try {
    connection.write(formHead('/interaction/abc/start', body.length) + body.slice(0, 30_000));
    const refused = await connection.response();
    assert.equal(refused.status, 413);
    assert.equal(refused.headers.connection, 'close', 'the client must not reuse a connection with a body still on it');
    connection.write(body.slice(30_000));
    connection.write(healthz());
    // Before this fix the connection stayed open until the keep-alive timeout (5 s) and then dropped the request.
    await connection.waitClosed(4000);
  } finally {
    connection.destroy();
  }
});

test('a 413 with a small remainder: the rest is drained and the same connection answers the next request', async () => {
  const body = `csrf=x&method=${'q'.repeat(60_000)}`;
  const connection = await RawConnection.open(t.broker.port);
  try {
    connection.write(formHead('/interaction/abc/start', body.length) + body.slice(0, 20_000));
    const refused = await connection.response();
    assert.equal(refused.status, 413);
    assert.notEqual(refused.headers.connection, 'close');
    connection.write(body.slice(20_000));
    connection.write(healthz());
    const next = await connection.response();
    assert.equal(next.status, 200);
    assert.deepEqual(JSON.parse(next.body), { status: 'ok' });
  } finally {
    connection.destroy();
  }
});

test('a large upload to a form is refused with Connection: close, and the connection ends', async () => {
  const connection = await RawConnection.open(t.broker.port);
  try {
    connection.write(formHead('/interaction/abc/start', 10_000_000) + 'a'.repeat(64 * 1024));
    const refused = await connection.response();
    assert.equal(refused.status, 413);
    assert.equal(refused.headers.connection, 'close');
    connection.write('a'.repeat(64 * 1024)); // the client is still uploading
    await connection.waitClosed();
  } finally {
    connection.destroy();
  }
});

test('an endless chunked form is refused with Connection: close, and the connection ends', async () => {
  const connection = await RawConnection.open(t.broker.port);
  try {
    const chunk = 'a'.repeat(8 * 1024);
    connection.write(`POST /demo/login HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n`);
    for (let i = 0; i < 4; i++) connection.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    const refused = await connection.response();
    assert.equal(refused.status, 413);
    assert.equal(refused.headers.connection, 'close');
    await connection.waitClosed();
  } finally {
    connection.destroy();
  }
});

test('an oversize token request: oidc-provider refuses it unread, and the connection ends instead of reading megabytes', async () => {
  const connection = await RawConnection.open(t.broker.port);
  try {
    connection.write(formHead('/token', 10_000_000) + 'a'.repeat(64 * 1024));
    const refused = await connection.response();
    assert.equal(refused.status, 400);
    assert.equal(JSON.parse(refused.body).error, 'invalid_request');
    assert.equal(refused.headers.connection, 'close');
    await connection.waitClosed();
  } finally {
    connection.destroy();
  }
});

test('an overlong query string or header is refused with 431 (and a long one within the limit is no server error)', async () => {
  const long = await fetch(`${t.broker.url}/auth?client_id=x&state=${'s'.repeat(20_000)}`);
  assert.equal(long.status, 431);
  const header = await fetch(`${t.broker.url}/healthz`, { headers: { 'x-filler': 'h'.repeat(20_000) } });
  assert.equal(header.status, 431);
  for (const path of ['/auth', '/demo', '/session/end', '/interaction/abc', '/jwks', '/me']) {
    const response = await fetch(`${t.broker.url}${path}?client_id=${'c'.repeat(12_000)}&lang=${'l'.repeat(1000)}`, { redirect: 'manual' });
    assert.ok(response.status < 500, `${path}: ${response.status}`);
  }
});
