/** Operator routes (admin API, console) are loaded by the first request under their path, once, and by no other. */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import Router from '@koa/router';
import Koa from 'koa';
import { loadedOnFirstUse } from '../../src/http/on-first-use.ts';

test('loaded at the first request under its path, once for requests arriving together; other paths pass by', async (t) => {
  let loads = 0;
  let release!: () => void;
  const held = new Promise<void>((resolve) => { release = resolve; });
  const app = new Koa();
  app.use(loadedOnFirstUse('/admin', async () => {
    loads++;
    await held;
    const router = new Router({ prefix: '/admin' });
    router.get('/', (ctx) => { ctx.body = 'console'; });
    router.get('/things/:id', (ctx) => { ctx.body = `thing ${ctx.params.id}`; });
    return router.routes();
  }));
  app.use((ctx) => { ctx.body = `rest ${ctx.path}`; });
  const server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const text = async (path: string) => (await fetch(`${url}${path}`)).text();

  assert.equal(await text('/interaction/x'), 'rest /interaction/x');
  assert.equal(await text('/administrator'), 'rest /administrator', 'a path that only begins with the prefix');
  assert.equal(loads, 0, 'nothing loaded before a request under /admin');
  const first = [text('/admin'), text('/admin/things/7')];
  release();
  assert.deepEqual(await Promise.all(first), ['console', 'thing 7']);
  assert.equal(await text('/admin/unknown'), 'rest /admin/unknown', 'an unmatched path under it goes on');
  assert.equal(loads, 1);
});
