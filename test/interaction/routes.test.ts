/**
 * The interaction routes over HTTP, one branch at a time: order start failures, status errors, start methods,
 * consent with and without a live grant, requests from another browser, collect failures (BankID answering 500,
 * BankID unreachable), the page's leave beacon and the single-use same-device return.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import * as oidc from 'openid-client';
import { OIDC_SE } from '../../src/oidc/claims.ts';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';
import { field, HttpBrowser, type Step } from '../helpers/http-browser.ts';
import { EventStream } from '../helpers/sse.ts';
import { afterOrder, authorize, callbackOf, discover, interactionUid, REDIRECT_URI, settled, startQr, TEST_PERSON } from '../helpers/rp.ts';
import { until } from '../helpers/until.ts';

const secret = 'routes-secret-0123456789abcdefghijkl';
const RFA5_EN = 'Something went wrong. Please try again';
let t: TestBroker;
let rp: oidc.Configuration;
let qrOnly: oidc.Configuration;
let thirdParty: oidc.Configuration;

before(async () => {
  t = await startTestBroker();
  const common = { client_secret: secret, redirect_uris: [REDIRECT_URI], scope: 'openid profile' };
  await t.broker.clients.save({ ...common, client_id: 'routes-rp', client_name: 'Routes RP', brygga_first_party: true });
  await t.broker.clients.save({ ...common, client_id: 'routes-qr-only', client_name: 'QR only', brygga_first_party: true, brygga_start_methods: ['qr'] });
  await t.broker.clients.save({ ...common, client_id: 'routes-third', client_name: 'Third party' });
  [rp, qrOnly, thirdParty] = await Promise.all(['routes-rp', 'routes-qr-only', 'routes-third'].map((id) => discover(t, id, oidc.ClientSecretBasic(secret))));
});
after(async () => { await t?.close(); });

/** An authorization request followed to the broker's page (login or consent). */
async function begin(config: oidc.Configuration, params: Record<string, string> = {}, browser?: HttpBrowser) {
  const auth = await authorize(t, config, params, browser);
  return { ...auth, uid: interactionUid(auth.step) };
}
type Login = Awaited<ReturnType<typeof begin>>;

const tokensFor = (config: oidc.Configuration, login: Login, callback: URL) =>
  oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: login.verifier, expectedState: login.state, expectedNonce: login.nonce });

async function start(login: Login, method: string): Promise<Step> {
  return login.browser.post(`${t.broker.url}/interaction/${login.uid}/start`, { csrf: field(login.step.body, 'csrf'), method });
}

/** Starts an order and follows to its page; returns the page and the order as the broker stored it. */
async function startOrder(login: Login, method: 'qr' | 'same_device') {
  const started = await start(login, method);
  assert.equal(started.status, 303, started.body);
  const page = await login.browser.follow(started);
  return { page, order: await orderOf(login) };
}

const orderOf = (login: Login) => t.broker.database.db.selectFrom('bankid_orders').selectAll()
  .where('interaction_id', '=', login.uid).orderBy('created_at', 'desc').limit(1).executeTakeFirstOrThrow();

/** The page script's poll, in English (RFA5 and RFA22 read alike in Swedish). */
async function statusEn(login: Login): Promise<Record<string, unknown>> {
  const step = await login.browser.get(`${t.broker.url}/interaction/${login.uid}/status?lang=en`, { accept: 'application/json' });
  assert.equal(step.status, 200, step.body);
  return JSON.parse(step.body) as Record<string, unknown>;
}
/**
 * The broker's collector collects every pending order, and a simulator fault hits whichever collect comes next: the
 * orders of earlier tests are ended first, so the fault meets this test's order.
 */
const endOtherOrders = () => sql`update bankid_orders set status = 'cancelled', completed_at = now() where status = 'pending'`.execute(t.broker.database.db);
const failedEn = (login: Login) => until(() => statusEn(login), (s) => s.state !== 'pending', 'the order settles', 120, 100);

/** Our row says so and BankID no longer has the order (the simulator forgets an order the RP cancelled). */
async function assertCancelledAtBankId(login: Login, status: 'cancelled' | 'failed'): Promise<void> {
  const order = await orderOf(login);
  assert.equal(order.status, status);
  assert.equal(await t.sim.order(order.order_ref), undefined, 'BankID no longer has the order');
}

test('BankID refusing to start the order gives a 502 page with its advice (RFA5), and no order', async () => {
  const login = await begin(rp, { ui_locales: 'en' });
  await t.sim.post('/sim/faults', { endpoint: 'auth', status: 500, times: 1 });
  const refused = await login.browser.post(`${t.broker.url}/interaction/${login.uid}/start?lang=en`, { csrf: field(login.step.body, 'csrf'), method: 'qr' });
  assert.equal(refused.status, 502);
  assert.match(refused.body, new RegExp(`${RFA5_EN}<`));
  const none = await login.browser.get(`${t.broker.url}/interaction/${login.uid}/status`, { accept: 'application/json' });
  assert.equal(none.status, 404);
  assert.deepEqual(JSON.parse(none.body), { error: 'order_not_found', message: 'Ingen BankID-order har startats för den här inloggningen.' });
});

test('BankID unreachable at the start reads like its own technical error (RFA5), not an unknown one', async () => {
  const login = await begin(rp);
  t.link.cut();
  let refused: Step;
  try {
    refused = await login.browser.post(`${t.broker.url}/interaction/${login.uid}/start?lang=en`, { csrf: field(login.step.body, 'csrf'), method: 'qr' });
  } finally {
    t.link.restore();
  }
  assert.equal(refused.status, 502);
  assert.match(refused.body, new RegExp(`${RFA5_EN}<`));
});

test('status without the interaction cookie, or before any order, is a 404 in JSON; a beacon or a return then does nothing', async () => {
  const login = await begin(rp);
  const stranger = await new HttpBrowser().get(`${t.broker.url}/interaction/${login.uid}/status?lang=en`, { accept: 'application/json' });
  assert.equal(stranger.status, 404);
  assert.deepEqual(JSON.parse(stranger.body), { error: 'login_not_in_browser', message: 'There is no such login in this browser.' });
  const early = await login.browser.get(`${t.broker.url}/interaction/${login.uid}/status?lang=en`, { accept: 'application/json' });
  assert.equal(early.status, 404);
  assert.equal(JSON.parse(early.body).error, 'order_not_found');
  const beacon = await login.browser.post(`${t.broker.url}/interaction/${login.uid}/cancel-order`, { csrf: field(login.step.body, 'csrf') });
  assert.equal(beacon.status, 204);
  const returned = await login.browser.get(`${t.broker.url}/interaction/${login.uid}/return?nonce=anything`);
  assert.equal(returned.status, 400);
  // The login itself goes on: an order can still be started.
  assert.equal((await startOrder(login, 'qr')).order.status, 'pending');
});

test('a start method the client does not allow, or none we know, is a 400 page and starts nothing', async () => {
  const login = await begin(qrOnly);
  assert.doesNotMatch(login.step.body, /data-method="same_device"/, 'the page does not offer it');
  for (const method of ['same_device', 'phone']) {
    const refused = await start(login, method);
    assert.equal(refused.status, 400, method);
    assert.match(refused.body, /Det här sättet att starta BankID är inte tillåtet för tjänsten/);
  }
  assert.deepEqual(await t.sim.orders().then((all) => all.filter((o) => (o.request as { returnUrl?: string }).returnUrl?.includes(login.uid))), []);
  const none = await login.browser.get(`${t.broker.url}/interaction/${login.uid}/status`, { accept: 'application/json' });
  assert.equal(none.status, 404);
});

test('another browser cannot cancel the order, nor end the login, even with the page token', async () => {
  const login = await begin(rp);
  const { page, order } = await startOrder(login, 'qr');
  const stranger = new HttpBrowser();
  for (const path of ['cancel-order', 'abort']) {
    const refused = await stranger.post(`${t.broker.url}/interaction/${login.uid}/${path}`, { csrf: field(page.body, 'csrf') });
    assert.equal(refused.status, 403, path);
  }
  const row = await orderOf(login);
  assert.equal(row.status, 'pending');
  assert.equal(row.left_at, null);
  assert.equal((await t.sim.order(order.order_ref))?.status, 'pending');
  assert.equal((await statusEn(login)).state, 'pending');
});

test('the leave beacon: a page that polls again keeps its order, one that stays away is cancelled after the grace', async () => {
  const back = await begin(rp);
  const gone = await begin(rp);
  const kept = await startOrder(back, 'qr');
  const left = await startOrder(gone, 'qr');
  for (const [login, { page }] of [[back, kept], [gone, left]] as const) {
    const beacon = await login.browser.post(`${t.broker.url}/interaction/${login.uid}/cancel-order`, { csrf: field(page.body, 'csrf') });
    assert.equal(beacon.status, 204);
  }
  assert.equal((await statusEn(back)).state, 'pending', 'the reloaded page polls again');
  // Both grace checks run at about the same time: once the one is cancelled, the other has been judged too.
  await until(() => t.sim.order(left.order.order_ref), (o) => o === undefined, 'the left order is cancelled at BankID', 100, 100);
  await assertCancelledAtBankId(gone, 'cancelled');
  assert.equal((await orderOf(back)).status, 'pending');
  assert.equal((await t.sim.order(kept.order.order_ref))?.status, 'pending');
  assert.equal((await statusEn(gone)).hintCode, 'cancelled');
});

/** The page's number as its leave beacon sends it. */
const pageNumber = (page: Step) => /id="bankid-login"[^>]* data-page="(\d+)"/.exec(page.body)?.[1];

const beacon = (login: Login, page: Step, fields: Record<string, string> = { page: pageNumber(page)! }) =>
  login.browser.post(`${t.broker.url}/interaction/${login.uid}/cancel-order`, { csrf: field(page.body, 'csrf'), ...fields });

/** As if the grace had passed since the beacon: its mark and the last poll moved back 10 s (the QR idle limit is 30 s). */
const graceLater = (login: Login) => sql`update bankid_orders set left_at = left_at - interval '10 seconds', last_seen_at = last_seen_at - interval '10 seconds'
  where interaction_id = ${login.uid}`.execute(t.broker.database.db);

test('F5 on a slow link: the old page\'s beacon processed after the reloaded page opened its stream keeps the order; the new page\'s own beacon still ends it', async () => {
  const login = await begin(rp);
  const { page: first, order } = await startOrder(login, 'qr');
  const reloaded = await login.browser.get(`${t.broker.url}/interaction/${login.uid}`);
  assert.equal(reloaded.status, 200);
  assert.deepEqual([pageNumber(first), pageNumber(reloaded)], ['1', '2'], 'each render of the order page is counted');
  const stream = await EventStream.open(login.browser, `${t.broker.url}/interaction/${login.uid}/events?lang=en`);
  try {
    assert.equal((await stream.message('the reloaded page\'s first state')).data?.state, 'pending');
    assert.equal((await orderOf(login)).page_renders, 2, 'opening the stream is no render');
    assert.equal((await beacon(login, first)).status, 204); // the old page's beacon, late
    assert.equal((await orderOf(login)).left_at, null);
    await graceLater(login);
    await t.broker.sweepAbandoned();
    assert.equal((await orderOf(login)).status, 'pending');
    assert.equal((await t.sim.order(order.order_ref))?.status, 'pending');
    assert.deepEqual([...(await t.broker.orders.stillWatched([order.id])).keys()], [order.id], 'the open stream still keeps it');
  } finally {
    await stream.close();
  }
  assert.equal((await statusEn(login)).state, 'pending');
  assert.equal((await orderOf(login)).page_renders, 2, 'the status poll is no render');
  assert.equal((await beacon(login, reloaded)).status, 204); // the latest page goes away
  assert.notEqual((await orderOf(login)).left_at, null);
  await graceLater(login);
  await t.broker.sweepAbandoned();
  await assertCancelledAtBankId(login, 'cancelled');
});

test('a request without the login\'s interaction cookie neither counts a page nor brings a left order back', async () => {
  const login = await begin(rp);
  const { page } = await startOrder(login, 'qr');
  assert.equal((await beacon(login, page)).status, 204);
  const marked = await orderOf(login);
  assert.notEqual(marked.left_at, null);
  const stranger = await new HttpBrowser().get(`${t.broker.url}/interaction/${login.uid}`);
  assert.equal(stranger.status, 400, stranger.body);
  const after = await orderOf(login);
  assert.deepEqual([after.page_renders, after.left_at], [marked.page_renders, marked.left_at]);
});

test('a beacon whose page is no page number is a 400 and marks nothing', async () => {
  const login = await begin(rp);
  const { page } = await startOrder(login, 'qr');
  for (const value of ['', 'x', '-1', '1.5', '9999999999']) {
    const refused = await beacon(login, page, { page: value });
    assert.equal(refused.status, 400, value);
    assert.match(refused.body, /Inloggningen kunde inte genomföras/);
  }
  assert.equal((await orderOf(login)).left_at, null);
});

test('one 500 from collect is tried again after the interval and the login completes', async () => {
  const login = await begin(rp, { scope: 'openid profile' });
  await endOtherOrders();
  const { orderRef } = await startQr(t, login);
  await t.sim.post('/sim/faults', { endpoint: 'collect', status: 500, times: 1 });
  await t.sim.post(`/sim/orders/${orderRef}/approve`, { personalNumber: TEST_PERSON });
  assert.equal((await settled(t, login.browser, login.uid)).state, 'complete');
  const { id } = await orderOf(login);
  assert.ok(t.logLines.some((l) => l.includes(id) && l.includes('collecting again after the interval')), 'the 500 was met and retried');
  const tokens = await tokensFor(rp, login, callbackOf(await afterOrder(t, login.browser, login.uid)));
  assert.equal(tokens.claims()!.name, 'Tolvan Tolvansson');
});

test('three 500s from collect in a row: the order is cancelled at BankID and the page says RFA5 without a QR', async () => {
  const login = await begin(rp);
  await endOtherOrders();
  await startOrder(login, 'qr');
  await t.sim.post('/sim/faults', { endpoint: 'collect', status: 500, times: 3 });
  const s = await failedEn(login);
  assert.deepEqual(s, { state: 'failed', hintCode: 'outstandingTransaction', errorCode: 'internalError', message: RFA5_EN });
  await assertCancelledAtBankId(login, 'failed');
  const page = await login.browser.get(`${t.broker.url}/interaction/${login.uid}?lang=en`);
  assert.match(page.body, new RegExp(`${RFA5_EN}<`));
  assert.doesNotMatch(page.body, /id="qr"/);
  assert.match(page.body, /id="retry-form"/);
});

test('BankID unreachable during collect: after a few polls the page says RFA5 and shows no QR', async () => {
  const login = await begin(rp);
  await startOrder(login, 'qr');
  t.link.cut();
  let s: Record<string, unknown>;
  try {
    s = await failedEn(login);
  } finally {
    t.link.restore();
  }
  assert.deepEqual(s, { state: 'failed', hintCode: 'outstandingTransaction', errorCode: 'transport', message: RFA5_EN });
  assert.equal((await orderOf(login)).collect_failures, 3);
});

test('the same-device return link works once; a second use is refused and ends the attempt', async () => {
  const login = await begin(rp);
  const { order } = await startOrder(login, 'same_device');
  const returnUrl = String((await t.sim.order(order.order_ref))?.returnUrl);
  assert.ok(returnUrl.startsWith(`${t.broker.url}/interaction/${login.uid}/return?nonce=`), returnUrl);
  const first = await login.browser.get(returnUrl);
  assert.equal(first.status, 303);
  assert.equal(first.location, `${t.broker.url}/interaction/${login.uid}`);
  const second = await login.browser.get(returnUrl);
  assert.equal(second.status, 400);
  assert.match(second.body, /Du kom tillbaka i en annan webbläsare eller med en felaktig länk/);
  assert.equal((await statusEn(login)).hintCode, 'cancelled');
  await assertCancelledAtBankId(login, 'cancelled');
});

/** A third-party login in `browser` up to its consent page (straight there when the session may be reused). */
async function upToConsent(scope: string, browser: HttpBrowser, extra: Record<string, string> = {}): Promise<{ login: Login; consent: Step; uid: string }> {
  const login = await begin(thirdParty, { scope, ...extra }, browser);
  let consent = login.step;
  if (!/action="[^"]*\/consent"/.test(consent.body)) {
    const { orderRef } = await startQr(t, login);
    await t.sim.post(`/sim/orders/${orderRef}/approve`, { personalNumber: TEST_PERSON });
    assert.equal((await settled(t, browser, login.uid)).state, 'complete');
    consent = await afterOrder(t, browser, login.uid);
  }
  assert.match(consent.body, /action="[^"]*\/consent"/);
  return { login, consent, uid: interactionUid(consent) };
}

async function giveConsent({ login, consent, uid }: Awaited<ReturnType<typeof upToConsent>>) {
  const back = await login.browser.follow(await login.browser.post(`${t.broker.url}/interaction/${uid}/consent`, { csrf: field(consent.body, 'csrf') }), (u) => !u.startsWith(t.broker.url));
  return (await tokensFor(thirdParty, login, callbackOf(back))).claims()!;
}

const grants = async () => (await t.broker.database.db.selectFrom('oidc_payload').select('id').where('model', '=', 'Grant').execute()).map((r) => r.id).sort();
/** The grant a consent prompt was measured against. */
const grantOf = async (uid: string) => {
  const row = await t.broker.database.db.selectFrom('oidc_payload').select('payload').where('model', '=', 'Interaction').where('id', '=', uid).executeTakeFirstOrThrow();
  return String((row.payload as { grantId?: string }).grantId);
};

test('consent for more scopes extends the grant the person already gave', async () => {
  const browser = new HttpBrowser();
  assert.equal((await giveConsent(await upToConsent('openid', browser))).name, undefined);
  const before = await grants();
  const second = await upToConsent('openid profile', browser);
  assert.ok(before.includes(await grantOf(second.uid)), 'the prompt is about the grant given before');
  assert.equal((await giveConsent(second)).name, 'Tolvan Tolvansson');
  assert.deepEqual(await grants(), before, 'the existing grant was extended, no new one made');
});

test('consent when the grant expired meanwhile makes a new grant with everything asked for, claims included', async () => {
  const browser = new HttpBrowser();
  await giveConsent(await upToConsent('openid', browser));
  const second = await upToConsent('openid profile', browser, { claims: JSON.stringify({ id_token: { [OIDC_SE.personalIdentityNumber]: { essential: true } } }) });
  const grantId = await grantOf(second.uid);
  const deleted = await sql`delete from oidc_payload where model = 'Grant' and id = ${grantId}`.execute(t.broker.database.db);
  assert.equal(Number(deleted.numAffectedRows), 1);
  const claims = await giveConsent(second);
  assert.equal(claims.name, 'Tolvan Tolvansson');
  assert.equal(claims[OIDC_SE.personalIdentityNumber], TEST_PERSON);
  assert.ok(!(await grants()).includes(grantId));
});
