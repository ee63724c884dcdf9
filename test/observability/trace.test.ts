/**
 * W3C trace context: a request's `traceparent` (or a trace begun by the broker) is carried on to BankID as a
 * `traceparent` of the same trace with a parent id of its own; a call outside any request carries none.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import Koa from 'koa';
import { requestId } from '../../src/http/request-id.ts';
import { outgoingTraceparent } from '../../src/observability/trace.ts';
import { useFakeBankId } from '../bankid/fake-suite.ts';

const { client, fake } = useFakeBankId();
const ORDER = { orderRef: 'o', autoStartToken: 'a', qrStartToken: 'q', qrStartSecret: 's' };
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_PARENT = '00f067aa0ba902b7';

let server: Server;
let url: string;
before(async () => {
  const app = new Koa();
  app.use(requestId);
  // What the order flow does within a request: a BankID call, here through a client wired as the broker wires it.
  app.use(async (ctx) => {
    await client({ traceparent: outgoingTraceparent }).auth({ endUserIp: '192.0.2.10' });
    ctx.body = 'ok';
  });
  server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
after(() => { server.close(); });

test('the caller\'s trace reaches BankID, with a parent id of the broker\'s', async () => {
  fake().reply = () => ({ body: ORDER });
  const response = await fetch(url, { headers: { traceparent: `00-${TRACE_ID}-${CALLER_PARENT}-01` } });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('x-request-id'), TRACE_ID);
  const [seen] = fake().seen;
  const sent = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(seen!.traceparent ?? '');
  assert.ok(sent, `traceparent sent: ${seen!.traceparent}`);
  assert.equal(sent[1], TRACE_ID);
  assert.notEqual(sent[2], CALLER_PARENT);
  assert.equal(sent[3], '01');
});

test('without a traceparent the request begins a trace (not sampled), which BankID gets', async () => {
  fake().reply = () => ({ body: ORDER });
  assert.equal((await fetch(url)).status, 200);
  assert.match(fake().seen[0]!.traceparent ?? '', /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-00$/);
});

test('a malformed traceparent is not carried on; a call outside any request carries none', async () => {
  fake().reply = () => ({ body: ORDER });
  await fetch(url, { headers: { traceparent: `00-${'0'.repeat(32)}-${CALLER_PARENT}-01` } });
  assert.doesNotMatch(fake().seen[0]!.traceparent ?? '', /^00-0{32}/);
  await client({ traceparent: outgoingTraceparent }).auth({ endUserIp: '192.0.2.10' });
  assert.equal(fake().seen[1]!.traceparent, undefined);
});
