/**
 * /healthz is liveness (no database), /readyz readiness: the database answers within a bounded wait and the BankID
 * certificate is valid. Checked on the broker as mounted, and on a real database that is closed or does not answer.
 */
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import Koa from 'koa';
import { healthRoutes, type Readiness } from '../../src/http/health.ts';
import { checkDatabase, openDatabase } from '../../src/storage/database.ts';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';
import { createTestDatabase } from '../helpers/database.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const inAYear = { notAfter: new Date(Date.now() + 365 * DAY_MS) };

/** The health routes alone on a loopback port. */
async function serve(readiness: Readiness): Promise<{ url: string; close(): Promise<void> }> {
  const app = new Koa();
  app.use(healthRoutes(readiness).routes());
  const server: Server = createHttpServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

interface Check { ok: boolean; reason?: string; notAfter?: string; daysLeft?: number }
interface Health { status: string; checks: { database: Check; bankidCertificate: Check } }

async function get(url: string): Promise<{ status: number; json: Health; ms: number }> {
  const started = Date.now();
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, json: await response.json() as Health, ms: Date.now() - started };
}

let t: TestBroker;
before(async () => { t = await startTestBroker(); });
after(async () => { await t?.close(); });

test('the broker is ready: database answers, certificate valid with days left; probes need not name the public host', async () => {
  const ready = await get(`${t.broker.url}/readyz`);
  assert.equal(ready.status, 200);
  assert.equal(ready.json.status, 'ready');
  assert.equal(ready.json.checks.database.ok, true);
  assert.equal(ready.json.checks.bankidCertificate.ok, true);
  assert.ok(ready.json.checks.bankidCertificate.daysLeft! > 0);
  assert.ok(!Number.isNaN(Date.parse(ready.json.checks.bankidCertificate.notAfter!)));
  assert.deepEqual(await (await fetch(`${t.broker.url}/healthz`)).json(), { status: 'ok' });
  // An orchestrator probes the container's address; other routes refuse a host that is not the issuer's.
  const byAddress = `http://127.0.0.1:${t.broker.port}`;
  assert.equal((await get(`${byAddress}/readyz`)).status, 200);
  assert.equal((await get(`${byAddress}/healthz`)).status, 200);
  assert.equal((await fetch(`${byAddress}/jwks`)).status, 421);
});

test('a closed database makes /readyz 503 with the reason, at once; /healthz stays 200', async () => {
  const database = await createTestDatabase({ migrate: false });
  const server = await serve({ checkDatabase: () => checkDatabase(database.db, 1500), certificate: () => inAYear });
  try {
    assert.equal((await get(`${server.url}/readyz`)).status, 200);
    await database.close();
    const down = await get(`${server.url}/readyz`);
    assert.equal(down.status, 503);
    assert.equal(down.json.status, 'not ready');
    assert.equal(down.json.checks.database.ok, false);
    assert.equal(typeof down.json.checks.database.reason, 'string');
    assert.equal(down.json.checks.bankidCertificate.ok, true);
    assert.ok(down.ms < 1500, `answered in ${down.ms} ms`);
    assert.equal((await get(`${server.url}/healthz`)).status, 200);
  } finally {
    await server.close();
  }
});

test('a database server that accepts but never answers makes /readyz 503 within the bounded wait', async () => {
  const sockets = new Set<Socket>();
  const silent = createTcpServer((socket) => { sockets.add(socket); });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const port = (silent.address() as AddressInfo).port;
  const database = await openDatabase({ url: `postgres://brygga@127.0.0.1:${port}/none`, dataDir: 'unused', connectTimeoutMs: 3000 });
  const server = await serve({ checkDatabase: () => checkDatabase(database.db, 1000), certificate: () => inAYear });
  try {
    const down = await get(`${server.url}/readyz`);
    assert.equal(down.status, 503);
    assert.match(down.json.checks.database.reason!, /did not answer within 1000 ms/);
    assert.ok(down.ms >= 1000 && down.ms < 2500, `answered in ${down.ms} ms`);
    assert.equal((await get(`${server.url}/healthz`)).status, 200);
  } finally {
    await server.close();
    for (const socket of sockets) socket.destroy();
    silent.close();
    await database.close();
  }
});

test('an expired BankID certificate makes /readyz 503, with the days since', async () => {
  const server = await serve({ checkDatabase: () => Promise.resolve(), certificate: () => ({ notAfter: new Date(Date.now() - 3 * DAY_MS - 60_000) }) });
  try {
    const expired = await get(`${server.url}/readyz`);
    assert.equal(expired.status, 503);
    assert.equal(expired.json.checks.database.ok, true);
    assert.equal(expired.json.checks.bankidCertificate.ok, false);
    assert.equal(expired.json.checks.bankidCertificate.daysLeft, -3);
    assert.match(expired.json.checks.bankidCertificate.reason!, /expired/);
  } finally {
    await server.close();
  }
});
