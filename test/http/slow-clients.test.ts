/**
 * Slowloris-style clients, which trickle a request to hold a connection, are cut within the configured bounds
 * (HTTP_HEADERS_TIMEOUT_MS, HTTP_REQUEST_TIMEOUT_MS), and while they trickle everyone else is served.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';
import { RawConnection } from './raw-connection.ts';

const HEADERS_TIMEOUT_MS = 1000;
const REQUEST_TIMEOUT_MS = 2000;
/** Node checks the bounds once a second: a cut comes within a bound plus that, and some slack on a busy machine. */
const CHECK_SLACK_MS = 2500;
const TRICKLE_MS = 100;

let t: TestBroker;
before(async () => { t = await startTestBroker({ HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS), HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) }); });
after(async () => { await t?.close(); });

/** Opens `count` connections that each send `head` and then one more byte of `drip` every TRICKLE_MS, never finishing. */
async function trickle(count: number, head: string, drip: string): Promise<{ connections: RawConnection[]; stop(): void }> {
  const connections = await Promise.all(Array.from({ length: count }, () => RawConnection.open(t.broker.port)));
  for (const c of connections) c.write(head);
  const timer = setInterval(() => { for (const c of connections) c.write(drip); }, TRICKLE_MS);
  return { connections, stop: () => { clearInterval(timer); for (const c of connections) c.destroy(); } };
}

const host = () => `Host: ${new URL(t.broker.url).host}\r\n`;

test('clients trickling headers are cut within HTTP_HEADERS_TIMEOUT_MS; others are served meanwhile', async () => {
  const started = Date.now();
  const slow = await trickle(20, `GET /healthz HTTP/1.1\r\n${host()}`, 'x-a: b\r\n');
  try {
    const served = await fetch(`${t.broker.url}/.well-known/openid-configuration`);
    assert.equal(served.status, 200);
    await Promise.all(slow.connections.map((c) => c.waitClosed(HEADERS_TIMEOUT_MS + CHECK_SLACK_MS)));
    const ms = Date.now() - started;
    assert.ok(ms >= HEADERS_TIMEOUT_MS, `cut after ${ms} ms, before the bound`);
    assert.equal((await fetch(`${t.broker.url}/healthz`)).status, 200);
  } finally {
    slow.stop();
  }
});

test('a client trickling a body is cut within HTTP_REQUEST_TIMEOUT_MS', async () => {
  const started = Date.now();
  const slow = await trickle(5, `POST /token HTTP/1.1\r\n${host()}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 500\r\n\r\n`, 'a');
  try {
    assert.equal((await fetch(`${t.broker.url}/healthz`)).status, 200);
    await Promise.all(slow.connections.map((c) => c.waitClosed(REQUEST_TIMEOUT_MS + CHECK_SLACK_MS)));
    const ms = Date.now() - started;
    assert.ok(ms >= REQUEST_TIMEOUT_MS, `cut after ${ms} ms, before the bound`);
  } finally {
    slow.stop();
  }
});
