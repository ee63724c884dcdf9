/** One structured log line per request, with the request id a proxy or a trace gave it, and no query string. */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import Router from '@koa/router';
import Koa from 'koa';
import { accessLog } from '../../src/http/access-log.ts';
import { errorPages } from '../../src/http/error-pages.ts';
import { requestId } from '../../src/http/request-id.ts';
import { createLogger } from '../../src/observability/logger.ts';

const lines: Record<string, unknown>[] = [];
let server: Server;
let url: string;
before(async () => {
  const logger = createLogger({ level: 'info', format: 'json', destination: new Writable({ write(chunk, _e, cb) { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); cb(); } }) });
  const app = new Koa();
  app.use(requestId);
  app.use(accessLog(logger));
  app.use(errorPages());
  const router = new Router();
  router.get('/things/:id', (ctx) => { ctx.body = { id: ctx.params.id }; });
  router.get('/broken', () => { throw new Error('the disk is on fire'); });
  router.get('/healthz', (ctx) => { ctx.body = { status: 'ok' }; });
  app.use(router.routes());
  server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => { server.close(); });

const lineOf = (id: string) => lines.find((line) => line.requestId === id);

test('a request that went well: one line with the proxy\'s request id, route, status and duration, no query', async () => {
  await (await fetch(`${url}/things/42?code=secret-code`, { headers: { 'x-request-id': 'proxy-id-1' } })).text();
  const line = lineOf('proxy-id-1');
  assert.partialDeepStrictEqual(line, { level: 30, msg: 'request', method: 'GET', path: '/things/42', route: '/things/:id', status: 200 });
  assert.equal(typeof line!.durationMs, 'number');
  assert.doesNotMatch(JSON.stringify(lines), /secret-code/);
  assert.equal(lines.filter((l) => l.requestId === 'proxy-id-1').length, 1);
});

test('a failed request: one error line with what was thrown, under the trace id of its traceparent', async () => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const response = await fetch(`${url}/broken`, { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
  assert.equal(response.status, 500);
  assert.equal(response.headers.get('x-request-id'), traceId);
  assert.partialDeepStrictEqual(lineOf(traceId), { level: 50, msg: 'request failed', status: 500 });
  assert.match(JSON.stringify(lineOf(traceId)!.err), /the disk is on fire/);
  assert.equal(lines.filter((l) => l.requestId === traceId).length, 1);
});

test('a passing probe is not logged at info; an unknown path is, as failed', async () => {
  await (await fetch(`${url}/healthz`, { headers: { 'x-request-id': 'probe-1' } })).text();
  await (await fetch(`${url}/nothing`, { headers: { 'x-request-id': 'missing-1' } })).text();
  assert.equal(lineOf('probe-1'), undefined);
  assert.partialDeepStrictEqual(lineOf('missing-1'), { level: 30, msg: 'request failed', status: 404 });
});
