/**
 * The waiting page's Server-Sent Events stream over HTTP, with two replicas on one database: replica A serves the
 * pages and does not collect (BANKID_COLLECT_CONCURRENCY=0), replica B's collector collects every order, so every
 * state change a stream on A shows came from B through the database's notifications.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import * as oidc from 'openid-client';
import { qrAuthCode } from '../../src/bankid/qr.ts';
import type { RunningBroker } from '../../src/broker.ts';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';
import { field, HttpBrowser } from '../helpers/http-browser.ts';
import { authorize, discover, interactionUid, TEST_PERSON } from '../helpers/rp.ts';
import { EventStream, type SseBlock } from '../helpers/sse.ts';
import { until } from '../helpers/until.ts';
import { WebSocketStream } from '../helpers/websocket-stream.ts';

const secret = 'events-secret-0123456789abcdefghijkl';
let t: TestBroker;
let collectorReplica: RunningBroker;
let rp: oidc.Configuration;
const statements: string[] = [];

before(async () => {
  t = await startTestBroker({ BANKID_COLLECT_CONCURRENCY: '0' }, {}, (text) => { statements.push(text); });
  collectorReplica = await t.replica({ BANKID_COLLECT_CONCURRENCY: '64', EVENT_STREAMS_MAX: '1' });
  await t.broker.clients.save({ client_id: 'events-rp', client_secret: secret, redirect_uris: ['https://rp.example/callback'], scope: 'openid', client_name: 'Events RP', brygga_first_party: true });
  rp = await discover(t, 'events-rp', oidc.ClientSecretBasic(secret));
});
after(async () => { await t?.close(); });

/** A login up to a started QR order on replica A; the app has not scanned it. */
async function waitingPage(): Promise<{ browser: HttpBrowser; uid: string; orderRef: string; orderId: string }> {
  const auth = await authorize(t, rp);
  const uid = interactionUid(auth.step);
  const started = await auth.browser.post(`${t.broker.url}/interaction/${uid}/start`, { csrf: field(auth.step.body, 'csrf'), method: 'qr' });
  assert.equal(started.status, 303, started.body);
  const row = await orderOf(uid);
  return { browser: auth.browser, uid, orderRef: row.order_ref, orderId: row.id };
}

const orderOf = (uid: string) => t.broker.database.db.selectFrom('bankid_orders').selectAll()
  .where('interaction_id', '=', uid).orderBy('created_at', 'desc').limit(1).executeTakeFirstOrThrow();

const eventsUrl = (broker: RunningBroker, uid: string) => `${broker.url}/interaction/${uid}/events?lang=en`;
const qrOf = (block: SseBlock) => String(block.data?.qr ?? '');
const timeOf = (qr: string) => Number(qr.split('.')[2]);

test('the stream sends the state at once, a fresh verifiable QR frame every second, each change, and the final state; then it ends', async () => {
  const page = await waitingPage();
  const stream = await EventStream.open(page.browser, eventsUrl(t.broker, page.uid));
  assert.equal(stream.response.status, 200);
  assert.equal(stream.response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  assert.equal(stream.response.headers.get('cache-control'), 'no-store');
  assert.equal(stream.response.headers.get('x-accel-buffering'), 'no');
  assert.equal((await stream.next((b) => b.retry !== undefined, 'a retry hint')).retry, 3000);

  const first = await stream.message('the state at once');
  assert.deepEqual(Object.keys(first.data!).sort(), ['hintCode', 'message', 'qr', 'state'], 'the status JSON without the QR image');
  assert.deepEqual({ ...first.data, qr: undefined }, { state: 'pending', hintCode: 'outstandingTransaction', message: 'Start your BankID app.', qr: undefined });
  const frames = [qrOf(first)];
  while (frames.length < 3) frames.push(qrOf(await stream.message('the next frame')));
  const { qr_start_secret: qrSecret } = await orderOf(page.uid);
  for (let i = 1; i < frames.length; i++) {
    assert.notEqual(frames[i], frames[i - 1], 'each frame is new');
    // The frame of the second the hub's tick falls in: the next second's, or a later one when a loaded machine held
    // the tick back (a skipped frame is never shown late; the bench measures the cadence).
    assert.ok(timeOf(frames[i]!) > timeOf(frames[i - 1]!), `frames move on: ${frames.join(', ')}`);
  }
  for (const frame of frames) assert.equal(frame.split('.')[3], qrAuthCode(qrSecret!, timeOf(frame)), `${frame} carries the right code`);
  assert.ok(stream.blocks.every((b) => b.event === undefined), 'default event type only');

  // The plain poll answers alongside, as before (with the image).
  const poll = JSON.parse((await page.browser.get(`${t.broker.url}/interaction/${page.uid}/status?lang=en`, { accept: 'application/json' })).body) as Record<string, unknown>;
  assert.equal(poll.state, 'pending');
  assert.match(String(poll.qr), /^bankid\./);

  const scanned = await t.sim.post('/sim/app/scan', { qr: frames.at(-1) });
  assert.equal(scanned.status, 200, JSON.stringify(scanned.json));
  const signing = await stream.next((b) => b.data?.hintCode === 'userSign', 'the app picked the order up', 10_000);
  assert.deepEqual(Object.keys(signing.data!).sort(), ['hintCode', 'message', 'state'], 'no QR once the app has the order');
  assert.match(String(signing.data!.message), /BankID/);
  await t.sim.post(`/sim/orders/${page.orderRef}/approve`, { personalNumber: TEST_PERSON });
  const done = await stream.next((b) => b.data?.state === 'complete', 'the final state', 10_000);
  assert.deepEqual(done.data, { state: 'complete', message: '' });
  await stream.closedByServer();
  assert.ok(stream.ended);
});

test('a page whose stream is on replica A completes when replica B\'s collector sees the completion', async () => {
  const page = await waitingPage();
  const stream = await EventStream.open(page.browser, eventsUrl(t.broker, page.uid));
  await stream.message('the state at once');
  const before = Number((await t.sim.order(page.orderRef))?.collects);
  await t.sim.post('/sim/app/scan', { qr: (await t.sim.order(page.orderRef))?.qr });
  await t.sim.post(`/sim/orders/${page.orderRef}/approve`, { personalNumber: TEST_PERSON });
  assert.deepEqual((await stream.next((b) => b.data?.state === 'complete', 'the completion', 10_000)).data, { state: 'complete', message: '' });
  await stream.closedByServer();
  assert.ok(Number((await t.sim.order(page.orderRef))?.collects) > before, 'collected meanwhile, and replica A does not collect');
  assert.ok(!t.logLines.some((l) => l.includes('"component":"collector"') && !l.includes('"replica"')), 'replica A logged no collect');
});

test('a notified change goes out as the notification says: no statement reads the order again', async () => {
  const page = await waitingPage();
  const stream = await EventStream.open(page.browser, eventsUrl(t.broker, page.uid));
  await stream.message('the state at once');
  statements.length = 0;
  await t.sim.post('/sim/app/scan', { qr: (await t.sim.order(page.orderRef))?.qr });
  assert.equal((await stream.next((b) => b.data?.state === 'pending' && b.data.hintCode === 'userSign', 'the app has it', 10_000)).data?.qr, undefined);
  await t.sim.post(`/sim/orders/${page.orderRef}/approve`, { personalNumber: TEST_PERSON });
  assert.deepEqual((await stream.next((b) => b.data?.state === 'complete', 'the completion', 10_000)).data, { state: 'complete', message: '' });
  const reads = statements.filter((s) => /^select \*, now\(\) as "db_now" from "bankid_orders" where "id" = any\(/.test(s));
  assert.deepEqual(reads, [], 'two changes, no re-read');
});

test('an open stream costs no statement per frame', async () => {
  const page = await waitingPage();
  const stream = await EventStream.open(page.browser, eventsUrl(t.broker, page.uid));
  await stream.message('the state at once');
  statements.length = 0;
  for (let i = 0; i < 3; i++) await stream.message('a frame');
  await stream.close();
  // Replica B's collector claims due orders and any janitor looks for abandoned orders and unanswered phone orders:
  // none is the stream's. Once every 10 s one statement marks the orders of all a process's streams as watched: per
  // process, not per frame.
  const liveness = (s: string) => s.startsWith('update "bankid_orders" set "last_seen_at" = now() where "id" = any(');
  const janitor = (s: string) => s.includes('"collect_lease_until" = clock_timestamp()') || s.includes('"left_at"') || s.includes('"ciba_request_id" is not null');
  const streamStatements = statements.filter((s) => !janitor(s) && !liveness(s));
  assert.deepEqual(streamStatements, [], 'three frames, no statement');
  assert.ok(statements.filter(liveness).length <= 1);
});

test('the janitor leaves an order alone while its page\'s stream is open, and cancels it once the page is gone', async () => {
  const watched = await waitingPage();
  const gone = await waitingPage();
  const stream = await EventStream.open(watched.browser, eventsUrl(t.broker, watched.uid));
  await stream.message('the state at once');
  const closed = await EventStream.open(gone.browser, eventsUrl(t.broker, gone.uid));
  await closed.message('the state at once');
  const open = t.broker.streams.size;
  await closed.close();
  await until(async () => t.broker.streams.size, (n) => n === open - 1, 'the server saw the page go');
  // A minute passes without a poll from either page.
  await sql`update bankid_orders set last_seen_at = last_seen_at - interval '1 minute' where id in (${watched.orderId}, ${gone.orderId})`.execute(t.broker.database.db);
  await t.broker.streams.keepAlive(); // what the hub does every 10 s
  await t.broker.orders.cancelAbandoned();
  assert.equal((await orderOf(watched.uid)).status, 'pending', 'the connected page keeps its order');
  assert.equal((await orderOf(gone.uid)).status, 'cancelled');
  assert.equal(await t.sim.order(gone.orderRef), undefined, 'cancelled at BankID');
  await stream.close();
});

test('an order followed over a stream of this process is not abandoned, even when the liveness statement is late', async () => {
  const watched = await waitingPage();
  const stream = await EventStream.open(watched.browser, eventsUrl(t.broker, watched.uid));
  await stream.message('the state at once');
  // A crowd held this process's liveness statement up: the database last saw the order a minute ago.
  const unseen = sql`update bankid_orders set last_seen_at = now() - interval '1 minute' where id = ${watched.orderId}`;
  await unseen.execute(t.broker.database.db);
  await t.broker.sweepAbandoned(); // what the janitor does every 10 s
  assert.equal((await orderOf(watched.uid)).status, 'pending', 'the page still follows it here');
  const open = t.broker.streams.size;
  await stream.close();
  await until(async () => t.broker.streams.size, (n) => n === open - 1, 'the server saw the page go');
  await unseen.execute(t.broker.database.db);
  await t.broker.sweepAbandoned();
  assert.equal((await orderOf(watched.uid)).status, 'cancelled', 'once the page is gone, the janitor ends it');
});

test('the stream checks the browser once: another browser, or none, gets 404', async () => {
  const page = await waitingPage();
  const stranger = await new HttpBrowser().open(eventsUrl(t.broker, page.uid));
  assert.equal(stranger.status, 404);
  assert.equal(((await stranger.json()) as { error: string }).error, 'login_not_in_browser');
  const early = await authorize(t, rp);
  const none = await early.browser.open(eventsUrl(t.broker, interactionUid(early.step)));
  assert.equal(none.status, 404);
  assert.equal(((await none.json()) as { error: string }).error, 'order_not_found');
});

test('a full process answers 503 with Retry-After (the page polls); closing the broker ends its streams', async () => {
  const page = await waitingPage();
  const stream = await EventStream.open(page.browser, eventsUrl(collectorReplica, page.uid));
  await stream.message('the state at once');
  const refused = await page.browser.open(eventsUrl(collectorReplica, page.uid));
  assert.equal(refused.status, 503);
  assert.equal(refused.headers.get('retry-after'), '10');
  assert.equal(((await refused.json()) as { error: string }).error, 'busy');
  await collectorReplica.streams.close();
  await stream.closedByServer();
  assert.equal(stream.blocks.at(-1)?.comment, 'closing');
});

test('a page that vanishes mid-stream (its connection reset) ends the stream without an error in the log', async () => {
  const page = await waitingPage();
  const url = new URL(eventsUrl(t.broker, page.uid));
  const open = t.broker.streams.size;
  const { socket, head } = await rawRequest(url, { accept: 'text/event-stream', 'user-agent': page.browser.userAgent, cookie: page.browser.cookieHeader(url) });
  assert.match(head, /^HTTP\/1\.1 200 /);
  await resetWithoutError(socket, open);
});

/** A TCP reset of an open stream's connection, as a killed tab or a dropped phone connection sends: no error logged. */
async function resetWithoutError(socket: Socket, open: number): Promise<void> {
  await until(async () => t.broker.streams.size, (n) => n === open + 1, 'the stream is open');
  const logged = t.logLines.length;
  socket.resetAndDestroy();
  await until(async () => t.broker.streams.size, (n) => n === open, 'the server saw the page go');
  const errors = t.logLines.slice(logged).filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
  assert.deepEqual(errors, [], 'a browser going away is not a failed request');
}

/** A GET written by hand on a connection of its own, and the first data of its answer. */
async function rawRequest(url: URL, headers: Record<string, string>): Promise<{ socket: Socket; head: string }> {
  const socket = connect(Number(url.port), url.hostname);
  await once(socket, 'connect');
  socket.write(`GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n`
    + Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n');
  const [head] = await once(socket, 'data') as [Buffer];
  return { socket, head: head.toString('latin1') };
}

/** An upgrade request written by hand: the answer's status line, and its body when it is a refusal. */
async function rawUpgrade(href: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const { socket, head } = await rawRequest(new URL(href), headers);
  let text = head;
  // A refusal is answered over HTTP and the connection closed; a 101 stays open, and is closed here.
  if (!text.startsWith('HTTP/1.1 101')) for await (const chunk of socket) text += String(chunk);
  socket.destroy();
  return { status: Number(text.slice(9, 12)), body: text.slice(text.indexOf('\r\n\r\n') + 4) };
}

const webSocketHeaders = { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' };

test('as a WebSocket: the state at once, a fresh verifiable QR frame every second, each change, the final state, then a normal close', async () => {
  const page = await waitingPage();
  const open = t.broker.streams.size;
  const logged = t.logLines.length;
  const stream = WebSocketStream.open(page.browser, eventsUrl(t.broker, page.uid));
  await stream.opened;
  const first = await stream.message('the state at once');
  assert.deepEqual({ ...first.data, qr: undefined }, { state: 'pending', hintCode: 'outstandingTransaction', message: 'Start your BankID app.', qr: undefined });
  const frames = [String(first.data.qr)];
  while (frames.length < 3) frames.push(String((await stream.message('the next frame')).data.qr));
  const { qr_start_secret: qrSecret } = await orderOf(page.uid);
  for (let i = 1; i < frames.length; i++) assert.ok(timeOf(frames[i]!) > timeOf(frames[i - 1]!), `frames move on: ${frames.join(', ')}`);
  for (const frame of frames) assert.equal(frame.split('.')[3], qrAuthCode(qrSecret!, timeOf(frame)), `${frame} carries the right code`);
  assert.equal(t.broker.streams.size, open + 1, 'the hub follows it');
  assert.ok(t.broker.streams.watching(page.orderId), 'the janitor knows it is watched');

  await t.sim.post('/sim/app/scan', { qr: frames.at(-1) });
  const signing = await stream.next((m) => m.data.hintCode === 'userSign', 'the app picked the order up', 10_000);
  assert.deepEqual(Object.keys(signing.data).sort(), ['hintCode', 'message', 'state']);
  await t.sim.post(`/sim/orders/${page.orderRef}/approve`, { personalNumber: TEST_PERSON });
  assert.deepEqual((await stream.next((m) => m.data.state === 'complete', 'the final state', 10_000)).data, { state: 'complete', message: '' });
  assert.equal((await stream.closed).code, 1000, 'a normal close after the final state');
  await until(async () => t.broker.streams.size, (n) => n === open, 'the hub let it go');
  const opening = t.logLines.slice(logged).map((line) => JSON.parse(line) as { level: number; msg: string; path?: string; status?: number })
    .filter((line) => line.path?.endsWith('/events'));
  assert.deepEqual(opening.map((line) => [line.level, line.msg, line.status]), [[30, 'request', 101]], 'logged as a request that went well');
});

test('a WebSocket is refused over HTTP like the event stream: another origin 403, another browser 404, not a WebSocket 400', async () => {
  const page = await waitingPage();
  const url = eventsUrl(t.broker, page.uid);
  const own = { ...webSocketHeaders, cookie: page.browser.cookieHeader(new URL(url)), 'user-agent': page.browser.userAgent };
  const foreign = await rawUpgrade(url, { ...own, origin: 'https://evil.example' });
  assert.equal(foreign.status, 403);
  assert.equal((JSON.parse(foreign.body) as { error: string }).error, 'stream_foreign_origin');
  assert.equal((await rawUpgrade(url, { ...own })).status, 403, 'no origin at all');
  const stranger = await rawUpgrade(url, { ...webSocketHeaders, origin: new URL(url).origin });
  assert.equal(stranger.status, 404);
  assert.equal((JSON.parse(stranger.body) as { error: string }).error, 'login_not_in_browser');
  const other = await rawUpgrade(url, { ...own, origin: new URL(url).origin, upgrade: 'h2c' });
  assert.equal(other.status, 400);
  const accepted = await rawUpgrade(url, { ...own, origin: new URL(url).origin });
  assert.equal(accepted.status, 101, 'the same request from the page is taken');
});

test('a full process refuses a WebSocket with 503 (the page falls back); closing the broker closes its WebSockets as going away', async () => {
  // A replica of its own: the event stream's test above closed the other one's hub for good.
  const replica = await t.replica({ BANKID_COLLECT_CONCURRENCY: '0', EVENT_STREAMS_MAX: '1' });
  const page = await waitingPage();
  const stream = WebSocketStream.open(page.browser, eventsUrl(replica, page.uid));
  await stream.message('the state at once');
  const url = eventsUrl(replica, page.uid);
  const refused = await rawUpgrade(url, { ...webSocketHeaders, origin: new URL(url).origin, cookie: page.browser.cookieHeader(new URL(url)) });
  assert.equal(refused.status, 503);
  assert.equal((JSON.parse(refused.body) as { error: string }).error, 'busy');
  await replica.streams.close();
  assert.equal((await stream.closed).code, 1001);
});

test('a page that closes its WebSocket ends the stream on the server', async () => {
  const page = await waitingPage();
  const open = t.broker.streams.size;
  const stream = WebSocketStream.open(page.browser, eventsUrl(t.broker, page.uid));
  await stream.message('the state at once');
  assert.equal(t.broker.streams.size, open + 1);
  stream.close();
  assert.equal((await stream.closed).code, 1005, 'the server answered the close');
  await until(async () => t.broker.streams.size, (n) => n === open, 'the hub let it go');
});

test('a page whose WebSocket connection is reset ends the stream without an error in the log', async () => {
  const page = await waitingPage();
  const url = new URL(eventsUrl(t.broker, page.uid));
  const open = t.broker.streams.size;
  const { socket, head } = await rawRequest(url, { ...webSocketHeaders, origin: url.origin, cookie: page.browser.cookieHeader(url), 'user-agent': page.browser.userAgent });
  assert.match(head, /^HTTP\/1\.1 101 /);
  await resetWithoutError(socket, open);
});
