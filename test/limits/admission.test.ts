/**
 * Admission control on a small koa app (the broker's error pages in front, as in the broker): requests within the
 * limits run, the queue waits (watching pages first), anything beyond is answered 503 "busy" at once, and
 * afterwards everything runs normally again.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { Writable } from 'node:stream';
import Koa from 'koa';
import { errorPages } from '../../src/http/error-pages.ts';
import { Admission, type AdmissionOptions } from '../../src/limits/admission.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { until } from '../helpers/until.ts';

const logger = createLogger({ level: 'warn', format: 'json', destination: new Writable({ write(_c, _e, cb) { cb(); } }) });

/** Requests to /hold/<name> run until the test releases <name>; everything else answers at once. */
const held = new Map<string, () => void>();
let started: string[] = [];
let server: Server;
let base: string;
let admission: Admission;
let clock = 0;

function app(options: Partial<AdmissionOptions>): Koa {
  admission = new Admission({ maxInFlight: 1, maxQueued: 1, maxWaitMs: 60_000, urgent: (ctx) => ctx.path.endsWith('/status'), logger, now: () => clock, ...options });
  const koa = new Koa();
  koa.use(errorPages());
  koa.use(admission.middleware());
  koa.use(async (ctx) => {
    started.push(ctx.path);
    const name = /^\/hold\/(\w+)/.exec(ctx.path)?.[1];
    if (name) await new Promise<void>((resolve) => held.set(name, resolve));
    ctx.body = { ok: ctx.path };
  });
  return koa;
}

async function listen(options: Partial<AdmissionOptions> = {}): Promise<void> {
  server?.close();
  started = [];
  server = createServer(app(options).callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const get = (path: string, accept = 'application/json') => fetch(`${base}${path}`, { headers: { accept, 'accept-language': 'sv' } });
const release = async (name: string) => {
  await until(async () => held.has(name), Boolean, `${name} is running`);
  held.get(name)!();
  held.delete(name);
};

before(() => listen());
after(() => { server?.close(); });

test('beyond the running and queued requests: 503 busy at once, with Retry-After; JSON for programs, a page for people', async () => {
  await listen();
  const running = get('/hold/a');
  await until(async () => started.length, (n) => n === 1, 'the first request runs');
  const queued = get('/queued');
  await until(async () => admission.queued, (n) => n === 1, 'the second request waits');

  const program = await get('/x');
  assert.equal(program.status, 503);
  assert.equal(program.headers.get('retry-after'), '2');
  assert.equal((await program.json() as { error: string }).error, 'busy');

  const person = await get('/x', 'text/html');
  assert.equal(person.status, 503);
  assert.equal(person.headers.get('retry-after'), '2');
  assert.equal(person.headers.get('refresh'), '2', 'the browser asks again by itself');
  const page = await person.text();
  assert.match(page, /Många loggar in just nu/);
  assert.match(page, /Försök igen om en stund/);
  assert.ok(admission.refusedWithin(1), 'the refusal is remembered');

  await release('a');
  assert.equal((await running).status, 200);
  assert.equal((await queued).status, 200, 'a queued request runs when a place is free');
  assert.deepEqual(started, ['/hold/a', '/queued']);
  const afterwards = await Promise.all([get('/y'), get('/z')]);
  assert.deepEqual(afterwards.map((r) => r.status), [200, 200], 'afterwards everything is served');
});

test('a watching page goes ahead of new work and takes the place of the newest new arrival in a full queue', async () => {
  await listen({ maxQueued: 2 });
  const running = get('/hold/a');
  await until(async () => started.length, (n) => n === 1, 'the first request runs');
  const first = get('/new-1');
  await until(async () => admission.queued, (n) => n === 1, 'the first new arrival waits');
  const second = get('/new-2');
  await until(async () => admission.queued, (n) => n === 2, 'the second new arrival waits');
  const poll = get('/interaction/u/status');
  assert.equal((await second).status, 503, 'the newest new arrival makes room');
  await release('a');
  assert.deepEqual(await Promise.all([running, poll, first].map(async (r) => (await r).status)), [200, 200, 200]);
  assert.deepEqual(started, ['/hold/a', '/interaction/u/status', '/new-1'], 'the poll ran before the older new arrival');
});

test('a request waits in the queue at most BUSY_MAX_WAIT_MS, then is answered busy', async () => {
  await listen({ maxWaitMs: 20 });
  const running = get('/hold/a');
  await until(async () => started.length, (n) => n === 1, 'the first request runs');
  const waited = await get('/queued');
  assert.equal(waited.status, 503);
  await release('a');
  assert.equal((await running).status, 200);
  assert.equal((await get('/next')).status, 200);
  assert.deepEqual(started, ['/hold/a', '/next'], 'the request that gave up never ran');
});

test('a refusal is remembered for the window asked about (the order janitor waits for a quiet one)', async () => {
  await listen({ maxQueued: 0 });
  clock = 1_000_000;
  const running = get('/hold/a');
  await until(async () => started.length, (n) => n === 1, 'the first request runs');
  assert.equal((await get('/x')).status, 503);
  await release('a');
  await running;
  clock += 29_999;
  assert.ok(admission.refusedWithin(30_000));
  clock += 1;
  assert.ok(!admission.refusedWithin(30_000));
});
