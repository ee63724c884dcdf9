/**
 * A busy broker (BUSY_MAX_IN_FLIGHT=1, no queue) over HTTP: while one request is held at BankID, everything else is
 * answered 503 "busy" at once; a waiting person's order is not cancelled as abandoned although its page's polls are
 * refused; once the held request ends, the page and new logins are served normally.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { ClientSecretBasic } from 'openid-client';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';
import { field, HttpBrowser } from '../helpers/http-browser.ts';
import { authorize, discover, interactionUid } from '../helpers/rp.ts';
import { until } from '../helpers/until.ts';

let t: TestBroker;
const secret = 'rp-secret-0123456789abcdefghijklmnop';

before(async () => {
  t = await startTestBroker({ BUSY_MAX_IN_FLIGHT: '1', BUSY_MAX_QUEUED: '0', BANKID_TIMEOUT_MS: '120000' });
  await t.broker.clients.save({ client_id: 'busy-rp', client_secret: secret, redirect_uris: ['https://rp.example/callback'], brygga_first_party: true, scope: 'openid' });
});
after(async () => { await t?.close(); });

const html = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

async function loginPage(browser = new HttpBrowser()) {
  const config = await discover(t, 'busy-rp', ClientSecretBasic(secret));
  const { step } = await authorize(t, config, {}, browser);
  return { browser, step, uid: interactionUid(step) };
}

async function orderStatus(uid: string): Promise<string> {
  const row = await sql<{ status: string }>`select status from bankid_orders where interaction_id = ${uid}`.execute(t.broker.database.db);
  return row.rows[0]!.status;
}

test('while the broker is full: 503 busy at once, the watched order stays; afterwards all is served', async () => {
  // A person on the QR page, polling.
  const watcher = await loginPage();
  const started = await watcher.browser.post(`${t.broker.url}/interaction/${watcher.uid}/start`, { csrf: field(watcher.step.body, 'csrf'), method: 'qr' });
  assert.equal(started.status, 303, started.body);
  const statusUrl = `${t.broker.url}/interaction/${watcher.uid}/status`;
  assert.equal((await watcher.browser.get(statusUrl, { accept: 'application/json' })).status, 200);

  // Another person's start is held at BankID: the broker's one place is taken.
  const other = await loginPage();
  await t.sim.post('/sim/faults', { endpoint: 'auth', kind: 'delay', delayMs: 60_000, times: 1 });
  let held;
  try {
    held = other.browser.post(`${t.broker.url}/interaction/${other.uid}/start`, { csrf: field(other.step.body, 'csrf'), method: 'qr' });
    await until(async () => (await (await fetch(`${t.sim.url}/sim/faults`)).json() as { faults: { holding: number }[] }).faults[0]?.holding, (n) => n === 1, 'the start is held at BankID');

    const poll = await watcher.browser.get(statusUrl, { accept: 'application/json' });
    assert.equal(poll.status, 503);
    assert.equal(poll.headers.get('retry-after'), '2');
    assert.equal((JSON.parse(poll.body) as { error: string }).error, 'busy');
    const page = await fetch(`${t.broker.url}/interaction/${watcher.uid}`, { headers: { ...html, 'accept-language': 'en' } });
    assert.equal(page.status, 503);
    assert.match(await page.text(), /Busy right now[\s\S]*Try again in a moment/);

    // The watched order has not been polled for a minute as far as the database knows, but its page was refused.
    await sql`update bankid_orders set last_seen_at = now() - interval '1 minute' where interaction_id = ${watcher.uid}`.execute(t.broker.database.db);
    assert.equal(await t.broker.sweepAbandoned(), 0);
    assert.equal(await orderStatus(watcher.uid), 'pending');
  } finally {
    await t.sim.clearFaults();
  }
  const done = await held;
  assert.equal(done.status, 303, done.body);

  const poll = await watcher.browser.get(statusUrl, { accept: 'application/json' });
  assert.equal(poll.status, 200, poll.body);
  assert.equal((JSON.parse(poll.body) as { state: string }).state, 'pending');
  assert.equal(await orderStatus(watcher.uid), 'pending');
  const newcomer = await loginPage();
  assert.equal(newcomer.step.status, 200, 'a new login is served again');
});

test('the broker listens on 4 sockets of its port (a turn of the event loop accepts one on each), each queueing 4096 connections (or the kernel\'s cap)', { skip: process.platform !== 'linux' && 'SO_REUSEPORT: Linux only' }, async () => {
  const port = new URL(t.broker.url).port;
  // For a listening socket, ss's Send-Q column is its backlog.
  const lines = execFileSync('ss', ['-Hltn', `sport = :${port}`], { encoding: 'utf8' }).trim().split('\n');
  const cap = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
  assert.deepEqual(lines.map((line) => Number(line.trim().split(/\s+/)[2])), [4096, 4096, 4096, 4096].map((n) => Math.min(n, cap)));
  // The kernel spreads new connections over the sockets: 40 at once, each served.
  const answers = await Promise.all(Array.from({ length: 40 }, () => new Promise<number>((resolve, reject) => {
    get(`${t.broker.url}/healthz`, { agent: false }, (res) => { res.resume(); resolve(res.statusCode ?? 0); }).on('error', reject);
  })));
  assert.deepEqual(new Set(answers), new Set([200]));
});

test('a port another broker holds is refused, although the broker shares its own port among its sockets', async () => {
  const port = new URL(t.broker.url).port;
  await assert.rejects(t.replica({ PORT: port }), /EADDRINUSE.*another program uses that port; stop it or change PORT/);
});
