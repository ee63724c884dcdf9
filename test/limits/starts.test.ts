/**
 * Rate limits on BankID order starts, from the outside: logins driven over HTTP from several loopback addresses
 * (a trusted proxy's X-Forwarded-For), refusals read as a person reads them, and the simulator's order list
 * showing that nothing reached BankID.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { CATALOGUE } from '../../src/errors/catalogue.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';
import { field, HttpBrowser, type Step } from '../helpers/http-browser.ts';

let t: TestBroker;
const statements: string[] = [];
const redirectUri = 'https://rp.example/callback';
/** Orders the simulator was asked to start (its RP API logs every call at debug level). */
let simulatorAuthCalls = 0;
const simulatorLog = new Writable({
  write(chunk: Buffer, _encoding, callback) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      const entry = JSON.parse(line) as { msg?: string; path?: string };
      if (entry.msg === 'simulator RP API call' && entry.path?.endsWith('/auth')) simulatorAuthCalls++;
    }
    callback();
  },
});

before(async () => {
  t = await startTestBroker({
    TRUST_PROXY: 'true',
    PROXY_HOPS: '1',
    RATE_LIMIT_STARTS_PER_IP_PER_MINUTE: '3',
    RATE_LIMIT_STARTS_PER_INTERACTION: '2',
    RATE_LIMIT_STARTS_PER_CLIENT_PER_MINUTE: '6',
  }, { logger: createLogger({ level: 'debug', format: 'json', destination: simulatorLog }) }, (sql) => statements.push(sql));
});
after(async () => { await t?.close(); });

async function client(id: string): Promise<string> {
  await t.broker.clients.save({ client_id: id, client_secret: 'limits-secret-0123456789abcdefghij', redirect_uris: [redirectUri], brygga_first_party: true, scope: 'openid' });
  return id;
}

interface Login { browser: HttpBrowser; uid: string; csrf: string }

async function beginLogin(address: string, clientId: string): Promise<Login> {
  const browser = new HttpBrowser({ headers: { 'x-forwarded-for': address } });
  const query = new URLSearchParams({
    client_id: clientId, response_type: 'code', redirect_uri: redirectUri, scope: 'openid', state: 'st',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
  });
  const page = await browser.follow(await browser.get(`${t.broker.url}/auth?${query}`));
  assert.equal(page.status, 200, page.body.slice(0, 300));
  return { browser, uid: /\/interaction\/([\w-]+)/.exec(page.url)![1]!, csrf: field(page.body, 'csrf') };
}

function start(login: Login, query = ''): Promise<Step> {
  return login.browser.post(`${t.broker.url}/interaction/${login.uid}/start${query}`, { csrf: login.csrf, method: 'qr' });
}

/** BankID orders asked for so far (the simulator logs a call before the broker can read its answer). */
const simOrders = () => simulatorAuthCalls;

function assertRefused(step: Step, maxRetryAfterS: number): number {
  assert.equal(step.status, 429, step.body.slice(0, 300));
  const retryAfter = Number(step.headers.get('retry-after'));
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= maxRetryAfterS, `Retry-After ${step.headers.get('retry-after')}`);
  assert.match(step.headers.get('content-type') ?? '', /text\/html/);
  return retryAfter;
}

test('one login may start only so many orders; the next is refused in Swedish or English and never reaches BankID', async () => {
  const login = await beginLogin('127.0.0.2', await client('per-login'));
  assert.equal((await start(login)).status, 303);
  assert.equal((await start(login)).status, 303, 'a retry on the same login');
  const before = simOrders();

  const refused = await start(login);
  const retryAfter = assertRefused(refused, 600);
  assert.ok(retryAfter > 60, 'the login\'s attempts come back only when the login would have expired');
  assert.ok(refused.body.includes(CATALOGUE.attempts_exhausted.text.sv), refused.body);
  const english = await start(login, '?lang=en');
  assertRefused(english, 600);
  assert.ok(english.body.includes(CATALOGUE.attempts_exhausted.text.en), english.body);
  assert.equal(simOrders(), before, 'no order was sent to BankID');
});

test('one address may start only so many orders a minute, also with a fresh authorization request each time', async () => {
  const clientId = await client('per-address');
  const before = simOrders();
  for (let i = 0; i < 3; i++) assert.equal((await start(await beginLogin('127.0.0.3', clientId))).status, 303);
  assert.equal(simOrders(), before + 3);

  const refused = await start(await beginLogin('127.0.0.3', clientId));
  assertRefused(refused, 60);
  assert.ok(refused.body.includes(CATALOGUE.rate_limited.text.sv), refused.body);
  assert.equal(simOrders(), before + 3, 'no order was sent to BankID');
  assert.equal((await start(await beginLogin('127.0.0.30', clientId))).status, 303, 'another address is not affected');
});

test('a client\'s budget caps all addresses together, and attempts refused for their own address do not use it up', async () => {
  const clientId = await client('per-client');
  const before = simOrders();
  const spammer = await beginLogin('127.0.0.4', clientId);
  for (let i = 0; i < 2; i++) assert.equal((await start(spammer)).status, 303);
  for (let i = 0; i < 10; i++) assert.equal((await start(spammer)).status, 429);
  // 2 of the client's 6 are used: four more people get their order.
  for (const address of ['127.0.0.5', '127.0.0.5', '127.0.0.6', '127.0.0.6']) {
    assert.equal((await start(await beginLogin(address, clientId))).status, 303, `from ${address}`);
  }
  assert.equal(simOrders(), before + 6);

  const refused = await start(await beginLogin('127.0.0.7', clientId));
  assertRefused(refused, 60);
  assert.ok(refused.body.includes(CATALOGUE.rate_limited.text.sv), refused.body);
  assert.equal(simOrders(), before + 6, 'no order was sent to BankID');
});

test('the check costs no statement of its own: the statement that loads the start\'s interaction counts, before the order is started', async () => {
  const login = await beginLogin('127.0.0.8', await client('statements'));
  statements.length = 0;
  assert.equal((await start(login)).status, 303);
  const limits = statements.filter((s) => /\brate_limits\b/.test(s));
  assert.equal(limits.length, 1, limits.join('\n'));
  assert.match(limits[0]!, /oidc_payload i where i\.model = 'Interaction'/, 'counted by the interaction\'s own statement');
  const check = statements.findIndex((s) => /\brate_limits\b/.test(s));
  const created = statements.findIndex((s) => /insert into "bankid_orders"/.test(s));
  assert.ok(check >= 0 && created > check, 'counted before the order was recorded');
});
