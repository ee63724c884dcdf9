/**
 * The order page's event stream, opened right after the page was rendered on the same replica, takes the render's
 * row instead of polling again (src/orders/recent-renders.ts), unless something happened since: a change notified by
 * the database, the page's beacon, too much time, another browser, a lost listening connection. Replica A serves the
 * pages and does not collect; replica B's collector collects, so every change A hears of comes through the
 * database's notifications.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import * as oidc from 'openid-client';
import { qrAuthCode } from '../../src/bankid/qr.ts';
import { cookieNames } from '../../src/security/cookie-names.ts';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';
import { field, HttpBrowser } from '../helpers/http-browser.ts';
import { authorize, discover, interactionUid, TEST_PERSON } from '../helpers/rp.ts';
import { EventStream, type SseBlock } from '../helpers/sse.ts';
import { until } from '../helpers/until.ts';

const secret = 'stream-after-page-secret-0123456789ab';
let t: TestBroker;
let rp: oidc.Configuration;
/** How far the order flow's clock on replica A runs ahead of the real one. */
let ahead = 0;
let counting = false;
const statements: string[] = [];
/** Order ids replica A's order flow was notified of, in order. */
const notified: string[] = [];
/** Runs once right after the next order page's statement (the interaction with its order's poll) has run. */
let afterRenderStatement: (() => void) | undefined;
const RENDER_STATEMENT = /^\s*with o as \(update "bankid_orders" set .*"page_renders" = page_renders \+ 1/s;

before(async () => {
  t = await startTestBroker({ BANKID_COLLECT_CONCURRENCY: '0' }, {}, (text) => {
    if (counting) statements.push(text);
    if (afterRenderStatement && RENDER_STATEMENT.test(text)) {
      const run = afterRenderStatement;
      afterRenderStatement = undefined;
      run();
    }
  }, { orderClock: () => Date.now() + ahead });
  await t.replica({ BANKID_COLLECT_CONCURRENCY: '64' });
  // Listens in on the real notifications (the broker calls it for each), so a test knows when A has heard of a change.
  const flow = t.broker.orders;
  const changed = flow.changed.bind(flow);
  flow.changed = (orderId) => { notified.push(orderId); changed(orderId); };
  await t.broker.clients.save({ client_id: 'after-page-rp', client_secret: secret, redirect_uris: ['https://rp.example/callback'], scope: 'openid', client_name: 'After Page RP', brygga_first_party: true });
  rp = await discover(t, 'after-page-rp', oidc.ClientSecretBasic(secret));
});
after(async () => { await t?.close(); });

interface Page { browser: HttpBrowser; uid: string; orderRef: string; orderId: string; csrf: string; page: string }

/** A login up to its QR order's page, rendered by replica A; the app has not scanned it. */
async function renderedPage(whileRendering?: (orderId: string) => void): Promise<Page> {
  const auth = await authorize(t, rp);
  const uid = interactionUid(auth.step);
  const started = await auth.browser.post(`${t.broker.url}/interaction/${uid}/start`, { csrf: field(auth.step.body, 'csrf'), method: 'qr' });
  assert.equal(started.status, 303, started.body);
  if (whileRendering) {
    const { id } = await orderOf(uid);
    afterRenderStatement = () => whileRendering(id);
  }
  const shown = await auth.browser.get(new URL(started.location!, t.broker.url).href);
  assert.equal(shown.status, 200);
  const root = /<div id="bankid-login"[^>]*>/.exec(shown.body)?.[0] ?? '';
  assert.match(root, /data-state="pending"/, 'the order page');
  const row = await orderOf(uid);
  return { browser: auth.browser, uid, orderRef: row.order_ref, orderId: row.id, csrf: /data-csrf="([^"]+)"/.exec(root)![1]!, page: /data-page="(\d+)"/.exec(root)![1]! };
}

const orderOf = (uid: string) => t.broker.database.db.selectFrom('bankid_orders').selectAll()
  .where('interaction_id', '=', uid).orderBy('created_at', 'desc').limit(1).executeTakeFirstOrThrow();

const eventsUrl = (uid: string) => `${t.broker.url}/interaction/${uid}/events?lang=en`;
const timeOf = (block: SseBlock) => Number(String(block.data?.qr).split('.')[2]);

/** What any replica does on its own meanwhile: collector claims and writes, the janitor, the streams' liveness. */
const background = (s: string) => s.includes('"collect_lease_until" = clock_timestamp()') || s.includes('set "status" =')
  || s.includes('set "collect_failures" =') || s.includes('"ciba_request_id" is not null') || s.includes('"left_at" <=')
  || s.startsWith('update "bankid_orders" set "last_seen_at" = now() where "id" = any(');
/** The poll of an interaction's latest order, as the stream's opening runs it. */
const POLL = /^update "bankid_orders" set "last_seen_at" = now\(\), "left_at" = \$1 where "id" = \(select "id" from "bankid_orders" where "interaction_id" = /;

/** Opens the page's stream and reads its first message; returns it with the order statements that opening ran. */
async function openStream(page: Page): Promise<{ stream: EventStream; first: SseBlock; ran: string[] }> {
  statements.length = 0;
  counting = true;
  try {
    const stream = await EventStream.open(page.browser, eventsUrl(page.uid));
    assert.equal(stream.response.status, 200);
    const first = await stream.message('the state at once');
    return { stream, first, ran: statements.filter((s) => s.includes('bankid_orders') && !background(s)) };
  } finally {
    counting = false;
  }
}

function assertPolledOnce(ran: string[]): void {
  assert.equal(ran.length, 1, `one poll: ${JSON.stringify(ran)}`);
  assert.match(ran[0]!, POLL);
}

test('the stream opened right after its page runs no order statement, and still sends right QR frames and the final state', async () => {
  const page = await renderedPage();
  const { stream, first, ran } = await openStream(page);
  assert.deepEqual(ran, [], 'no bankid_orders statement');
  assert.deepEqual({ ...first.data, qr: undefined }, { state: 'pending', hintCode: 'outstandingTransaction', message: 'Start your BankID app.', qr: undefined });
  const frames = [first];
  while (frames.length < 3) frames.push(await stream.message('the next frame'));
  const { qr_start_secret: qrSecret } = await orderOf(page.uid);
  for (let i = 1; i < frames.length; i++) assert.equal(timeOf(frames[i]!), timeOf(frames[i - 1]!) + 1, 'one frame per second');
  for (const frame of frames) assert.equal(String(frame.data!.qr).split('.')[3], qrAuthCode(qrSecret!, timeOf(frame)));
  // The frames count from the order's start by the database clock, as a poll's do.
  const polled = JSON.parse((await page.browser.get(`${t.broker.url}/interaction/${page.uid}/status?lang=en`, { accept: 'application/json' })).body) as { qr: string };
  const pollTime = Number(polled.qr.split('.')[2]);
  assert.ok(pollTime - timeOf(frames.at(-1)!) >= 0 && pollTime - timeOf(frames.at(-1)!) <= 1, `poll at ${pollTime}, last frame at ${timeOf(frames.at(-1)!)}`);

  await t.sim.post(`/sim/orders/${page.orderRef}/approve`, { personalNumber: TEST_PERSON });
  assert.deepEqual((await stream.next((b) => b.data?.state === 'complete', 'the final state', 10_000)).data, { state: 'complete', message: '' });
  await stream.closedByServer();
});

test('the app picked the order up between the render and the stream: the stream\'s first message is the new state', async () => {
  const page = await renderedPage();
  const heard = notified.length;
  const scanned = await t.sim.post('/sim/app/scan', { qr: (await t.sim.order(page.orderRef))?.qr });
  assert.equal(scanned.status, 200, JSON.stringify(scanned.json));
  await until(async () => notified.slice(heard), (ids) => ids.includes(page.orderId), 'replica A heard of the change');
  const { stream, first, ran } = await openStream(page);
  assert.equal(first.data?.hintCode, 'userSign');
  assertPolledOnce(ran);
  await stream.close();
});

test('the order completed between the render and the stream: the stream sends the completion and ends', async () => {
  const page = await renderedPage();
  const heard = notified.length;
  await t.sim.post(`/sim/orders/${page.orderRef}/approve`, { personalNumber: TEST_PERSON });
  await until(async () => notified.slice(heard), (ids) => ids.includes(page.orderId), 'replica A heard of the completion');
  const { stream, first, ran } = await openStream(page);
  assert.deepEqual(first.data, { state: 'complete', message: '' });
  assertPolledOnce(ran);
  await stream.closedByServer();
});

test('a change notified while the render\'s statement ran counts too: the stream polls', async () => {
  let heard = false;
  // As a notification that arrives after the statement read the row, before the page's handler has it.
  const page = await renderedPage((orderId) => {
    t.broker.orders.changed(orderId);
    heard = true;
  });
  assert.ok(heard, 'the page\'s statement ran');
  const { stream, ran } = await openStream(page);
  assertPolledOnce(ran);
  await stream.close();
});

test('after the page\'s beacon the stream polls: the page is back, and the janitor keeps its order after the grace', async () => {
  const page = await renderedPage();
  const beacon = await page.browser.post(`${t.broker.url}/interaction/${page.uid}/cancel-order`, { csrf: page.csrf, page: page.page });
  assert.equal(beacon.status, 204);
  assert.notEqual((await orderOf(page.uid)).left_at, null, 'marked as left');
  const { stream, ran } = await openStream(page);
  assertPolledOnce(ran);
  assert.equal((await orderOf(page.uid)).left_at, null, 'the poll cleared the mark');
  // The grace (3 s) has long passed, well within the QR page's 30 s.
  await sql`update bankid_orders set last_seen_at = last_seen_at - interval '10 seconds', left_at = left_at - interval '10 seconds' where id = ${page.orderId}`.execute(t.broker.database.db);
  await t.broker.orders.cancelAbandoned();
  assert.equal((await orderOf(page.uid)).status, 'pending');
  await stream.close();
});

test('a render from before the listening connection was lost and came back is not used', { skip: !process.env.DATABASE_URL && 'the embedded engine listens in process, without a connection to lose' }, async () => {
  const page = await renderedPage();
  const reconnected = () => t.logLines.filter((l) => !l.includes('"replica"') && l.includes('listening for order changes again')).length;
  const before = reconnected();
  // Every replica's listening connection on this database drops, as in a failover; notifications meanwhile are lost.
  const { rows } = await sql<{ gone: boolean }>`select pg_terminate_backend(pid) as gone from pg_stat_activity
    where datname = current_database() and query = 'listen "brygga_order_changes"'`.execute(t.broker.database.db);
  assert.ok(rows.length >= 1 && rows.every((r) => r.gone), JSON.stringify(rows));
  await until(async () => reconnected(), (n) => n > before, 'replica A listens again');
  const { stream, ran } = await openStream(page);
  assertPolledOnce(ran);
  await stream.close();
});

test('a render older than 3 s, or seen by another browser, is not used', async () => {
  const old = await renderedPage();
  ahead = 3001;
  try {
    const { stream, first, ran } = await openStream(old);
    assertPolledOnce(ran);
    assert.equal(first.data?.state, 'pending');
    await stream.close();
  } finally {
    ahead = 0;
  }

  const page = await renderedPage();
  // The login's interaction cookie, but not its device cookie: another browser.
  const url = new URL(eventsUrl(page.uid));
  const device = cookieNames(t.broker.url).device;
  const cookie = page.browser.cookieHeader(url).split('; ').filter((c) => !c.startsWith(`${device}=`) && !c.startsWith(`${device}.sig=`)).join('; ');
  assert.notEqual(cookie, page.browser.cookieHeader(url));
  const other = await new HttpBrowser().open(url.href, { cookie });
  assert.equal(other.status, 404);
  assert.equal(((await other.json()) as { error: string }).error, 'order_not_found');
  const { stream, ran } = await openStream(page);
  assertPolledOnce(ran); // taken once, by whoever opens first
  await stream.close();
});
