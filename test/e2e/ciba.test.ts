/**
 * Phone orders over OpenID Connect CIBA, end to end with openid-client: a call-centre client starts a backchannel
 * authentication request naming the person by personal number; the broker starts a BankID phone order through the
 * simulator over mTLS, the simulated app plays the person, the collector finishes the order, and the client's poll
 * gets tokens (or the OAuth error the person's answer means). Refusals come before any order; phone orders are rate
 * limited like every order, left alone by the janitor, and counted in the ledger.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import * as oidc from 'openid-client';
import { loadConfig } from '../../src/config/load.ts';
import { OIDC_SE } from '../../src/oidc/claims.ts';
import { usageRows } from '../../src/storage/usage.ts';
import { TenantService } from '../../src/tenants/service.ts';
import { DEFAULT_BILLABLE } from '../../src/usage/settings.ts';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';
import { discover, REDIRECT_URI, TEST_PERSON } from '../helpers/rp.ts';
import { until } from '../helpers/until.ts';

const CIBA = 'urn:openid:params:grant-type:ciba';
const CALL_INITIATOR = 'urn:brygga:param:callInitiator';
const SIGN_REQUEST = 'https://id.oidc.se/param/signRequest';
const OTHER = '200001012384';
const secret = 'ciba-secret-0123456789abcdefghijklmn';
const scope = `openid ${OIDC_SE.naturalPersonNumber}`;

let t: TestBroker;
let callCentre: oidc.Configuration;
/** How far the simulated BankID's clock is ahead (an order's lifetime passes without waiting for it). */
let bankIdAheadMs = 0;

async function client(clientId: string, extra: Record<string, unknown> = {}): Promise<oidc.Configuration> {
  await t.broker.clients.save({
    client_id: clientId, client_secret: secret, client_name: 'Kundtjänsten', brygga_first_party: true,
    grant_types: [CIBA], response_types: [], backchannel_token_delivery_mode: 'poll', scope: `${scope} ${OIDC_SE.sign}`, ...extra,
  });
  return discover(t, clientId, oidc.ClientSecretBasic(secret));
}

before(async () => {
  t = await startTestBroker({}, { now: () => Date.now() + bankIdAheadMs });
  callCentre = await client('callcentre');
});
after(async () => { await t?.close(); });

const phoneRequest = (extra: Record<string, string> = {}) => ({ scope, login_hint: TEST_PERSON, [CALL_INITIATOR]: 'RP', ...extra });

/** The BankID order the broker started for the latest request, as the simulator holds it. */
async function latestPhoneOrder(): Promise<{ orderRef: string; operation: string; userVisibleData?: string; request: Record<string, unknown> }> {
  const order = await t.sim.latestOrder();
  return { orderRef: String(order.orderRef), operation: String(order.operation), userVisibleData: order.userVisibleData as string | undefined, request: order.request as Record<string, unknown> };
}

/** The person takes the call in the app and approves. */
async function approve(orderRef: string): Promise<void> {
  const confirmed = await t.sim.post(`/sim/orders/${orderRef}/confirm-call`);
  assert.equal(confirmed.status, 200, JSON.stringify(confirmed.json));
  const approved = await t.sim.post(`/sim/orders/${orderRef}/approve`, { givenName: 'TOLVAN', surname: 'TOLVANSSON' });
  assert.equal(approved.status, 200, JSON.stringify(approved.json));
}

/** The OAuth error a call ends with; fails if it succeeds. */
async function refusal(call: Promise<unknown>): Promise<oidc.ResponseBodyError> {
  const err = await call.then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof oidc.ResponseBodyError, `expected an OAuth error, got ${err instanceof Error ? err.message : 'success'}`);
  return err;
}

const orderRow = (orderRef: string) => t.broker.database.db.selectFrom('bankid_orders').selectAll().where('order_ref', '=', orderRef).executeTakeFirstOrThrow();
const ledgerRow = (orderId: string) => t.broker.database.db.selectFrom('usage_ledger').selectAll().where('order_id', '=', orderId).executeTakeFirstOrThrow();

/** The callcentre client's billable and completed orders in the default tenant's report. */
async function usageOfCallCentre(): Promise<{ billable: number; completed: number }> {
  const rows = await usageRows(t.broker.database.db, { tenantId: 'default', from: '2000-01-01', to: '2100-01-01', by: 'month' });
  const mine = rows.filter((r) => r.kind === 'client' && r.id === 'callcentre');
  return { billable: mine.reduce((n, r) => n + r.billable, 0), completed: mine.reduce((n, r) => n + r.completed, 0) };
}

test('discovery announces the backchannel endpoint, poll and ping, and the CIBA grant', () => {
  const meta = callCentre.serverMetadata();
  assert.equal(meta.backchannel_authentication_endpoint, `${t.broker.url}/backchannel`);
  assert.deepEqual([...meta.backchannel_token_delivery_modes_supported ?? []].sort(), ['ping', 'poll']);
  assert.ok(meta.grant_types_supported?.includes(CIBA));
});

test('a phone identification in poll mode: BankID phone/auth shows the binding message, the janitor leaves it alone, the tokens carry that order\'s person, the ledger bills it', async () => {
  const started = await oidc.initiateBackchannelAuthentication(callCentre, phoneRequest({ binding_message: 'Ärende 4711: bekräfta att du pratar med oss' }));
  assert.ok(started.auth_req_id);
  assert.ok(started.expires_in > 0 && started.expires_in <= 300, `expires_in ${started.expires_in}`);
  const order = await latestPhoneOrder();
  assert.equal(order.operation, 'phoneAuth');
  assert.equal(order.request.personalNumber, TEST_PERSON);
  assert.equal(order.request.callInitiator, 'RP');
  assert.equal(order.userVisibleData, 'Ärende 4711: bekräfta att du pratar med oss');
  assert.equal(order.request.userVisibleDataFormat, undefined, 'the binding message is plain text');

  // No page polls a phone order: however long unwatched, the janitor does not cancel it.
  await sql`update bankid_orders set last_seen_at = now() - interval '1 hour' where order_ref = ${order.orderRef}`.execute(t.broker.database.db);
  assert.equal(await t.broker.sweepAbandoned(), 0);
  assert.equal((await orderRow(order.orderRef)).status, 'pending');

  // Until the person answers, the token endpoint says so.
  const pending = await refusal(oidc.genericGrantRequest(callCentre, CIBA, { auth_req_id: started.auth_req_id }));
  assert.equal(pending.error, 'authorization_pending');

  await approve(order.orderRef);
  const tokens = await oidc.pollBackchannelAuthenticationGrant(callCentre, started);
  const claims = tokens.claims()!;
  assert.equal(claims[OIDC_SE.personalIdentityNumber], TEST_PERSON);
  assert.notEqual(claims.sub, TEST_PERSON);
  assert.equal(typeof claims.auth_time, 'number');
  assert.ok(claims.acr, 'the acr of the client\'s logins');
  assert.deepEqual(claims.amr, ['mfa']);
  assert.equal(tokens.refresh_token, undefined);

  const row = await orderRow(order.orderRef);
  assert.equal(row.operation, 'phone_auth');
  assert.equal(row.start_method, 'phone');
  const ledger = await ledgerRow(row.id);
  assert.equal(ledger.operation, 'phone_auth');
  assert.equal(ledger.start_method, 'phone');
  assert.equal(ledger.outcome, 'complete');
  assert.equal(ledger.client_id, 'callcentre');
  assert.ok(ledger.person_key);
  // Billable as identifications are: with the default setting (auth, sign, payment), and not when the tenant bills only signatures.
  assert.deepEqual(await usageOfCallCentre(), { billable: 1, completed: 1 });
  const tenants = new TenantService(t.broker.database.db);
  const billing = async (billableOperations: string[]) => {
    const tenant = await tenants.get('default');
    await tenants.update({ ...tenant, bankidEnvironment: tenant.bankidEnvironment ?? undefined, billableOperations });
  };
  await billing(['sign']);
  try {
    assert.deepEqual(await usageOfCallCentre(), { billable: 0, completed: 1 });
  } finally {
    await billing([...DEFAULT_BILLABLE]);
  }
});

test('the person cancelling in the app, or declining the call, gives the client access_denied; the ledger says how each ended', async () => {
  const cancelled = await oidc.initiateBackchannelAuthentication(callCentre, phoneRequest());
  const cancelledOrder = await latestPhoneOrder();
  const declined = await oidc.initiateBackchannelAuthentication(callCentre, phoneRequest({ login_hint: OTHER, [CALL_INITIATOR]: 'user' }));
  const declinedOrder = await latestPhoneOrder();
  assert.equal(declinedOrder.request.personalNumber, OTHER);
  assert.equal(declinedOrder.request.callInitiator, 'user');
  assert.equal((await t.sim.post(`/sim/orders/${cancelledOrder.orderRef}/cancel`)).status, 200);
  assert.equal((await t.sim.post(`/sim/orders/${declinedOrder.orderRef}/decline-call`)).status, 200);

  const [a, b] = await Promise.all([
    refusal(oidc.pollBackchannelAuthenticationGrant(callCentre, cancelled)),
    refusal(oidc.pollBackchannelAuthenticationGrant(callCentre, declined)),
  ]);
  assert.equal(a.error, 'access_denied');
  assert.match(a.error_description ?? '', /cancelled/);
  assert.equal(b.error, 'access_denied');
  assert.match(b.error_description ?? '', /not on a call/);

  const cancelledLedger = await ledgerRow((await orderRow(cancelledOrder.orderRef)).id);
  assert.equal(cancelledLedger.outcome, 'cancelled');
  assert.equal(cancelledLedger.cancelled_by, 'person');
  const declinedLedger = await ledgerRow((await orderRow(declinedOrder.orderRef)).id);
  assert.equal(declinedLedger.outcome, 'failed');
  assert.equal(declinedLedger.hint_code, 'userDeclinedCall');
  // The answer is given once: the request is used up.
  assert.equal((await refusal(oidc.genericGrantRequest(callCentre, CIBA, { auth_req_id: cancelled.auth_req_id }))).error, 'invalid_grant');
});

test('a phone signature: the sign scope and signRequest run BankID phone/sign, and the ID token carries the signature', async () => {
  const tbs = Buffer.from('<avtal id="18">Uppsägning av abonnemang</avtal>').toString('base64');
  const message = '# Uppsägning\nJag säger upp *abonnemanget*.';
  const started = await oidc.initiateBackchannelAuthentication(callCentre, phoneRequest({
    scope: `${scope} ${OIDC_SE.sign}`,
    [SIGN_REQUEST]: JSON.stringify({ tbs_data: tbs, sign_message: { message: Buffer.from(message).toString('base64'), mime_type: 'text/markdown' } }),
  }));
  const order = await latestPhoneOrder();
  assert.equal(order.operation, 'phoneSign');
  assert.equal(order.userVisibleData, message);
  assert.equal(order.request.userVisibleDataFormat, 'simpleMarkdownV1');
  assert.equal(order.request.userNonVisibleData, tbs);
  await approve(order.orderRef);
  const tokens = await oidc.pollBackchannelAuthenticationGrant(callCentre, started);
  const xml = Buffer.from(String(tokens.claims()![OIDC_SE.userSignature]), 'base64').toString('utf8');
  assert.match(xml, new RegExp(`<usrNonVisibleData>${tbs.replace(/[+/=]/g, '\\$&')}</usrNonVisibleData>`));
  assert.match(xml, /<funcId>Signing<\/funcId>/);
  assert.equal((await ledgerRow((await orderRow(order.orderRef)).id)).operation, 'phone_sign');
});

test('every bad request is refused with its OAuth error before any BankID order', async () => {
  const ordersBefore = (await t.sim.orders()).length;
  const bindTo = (person: string) => JSON.stringify({ id_token: { [OIDC_SE.personalIdentityNumber]: { essential: true, value: person } } });
  const { [CALL_INITIATOR]: _initiator, ...withoutInitiator } = phoneRequest();
  const { login_hint: _hint, ...withoutHint } = phoneRequest();
  const cases: [string, Record<string, string>, string, RegExp][] = [
    ['a login_hint that is no personal number', phoneRequest({ login_hint: 'tolvan@example.se' }), 'unknown_user_id', /personal identity number/],
    ['a personal number with a wrong check digit', phoneRequest({ login_hint: '199908072392' }), 'unknown_user_id', /check digit/],
    ['no call initiator', withoutInitiator, 'invalid_request', /callInitiator is required/],
    ['an unknown call initiator', phoneRequest({ [CALL_INITIATOR]: 'agent' }), 'invalid_request', /callInitiator is required/],
    ['a login_hint_token', { ...withoutHint, login_hint_token: 'eyJhbGciOiJub25lIn0.e30.' }, 'invalid_request', /login_hint_token is not supported/],
    ['no hint at all', withoutHint, 'invalid_request', /login_hint/],
    ['a binding message with a control character', phoneRequest({ binding_message: 'Ärende\u00074711' }), 'invalid_binding_message', /control characters/],
    ['a binding message too long for BankID', phoneRequest({ binding_message: 'å'.repeat(800) }), 'invalid_binding_message', /too long for BankID/],
    ['a binding message with a signature', phoneRequest({ scope: `${scope} ${OIDC_SE.sign}`, binding_message: 'Ärende 4711' }), 'invalid_binding_message', /sign_message/],
    ['a signature without its signRequest', phoneRequest({ scope: `${scope} ${OIDC_SE.sign}` }), 'invalid_request', /signRequest is required/],
    ['a claims parameter naming another person', phoneRequest({ claims: bindTo(OTHER) }), 'invalid_request', /another person/],
    ['an acr no login of the client has', phoneRequest({ acr_values: 'http://id.elegnamnden.se/loa/1.0/loa4' }), 'unmet_authentication_requirements', /acr/],
    ['a scope the client may not ask for', phoneRequest({ scope: 'openid profile' }), 'invalid_scope', /not allowed/],
  ];
  for (const [what, params, error, description] of cases) {
    const err = await refusal(oidc.initiateBackchannelAuthentication(callCentre, params));
    assert.equal(err.error, error, `${what}: ${err.error} ${err.error_description}`);
    assert.match(err.error_description ?? '', description, what);
  }
  assert.equal((await t.sim.orders()).length, ordersBefore, 'no BankID order was started');
});

test('a client not registered for CIBA is refused with unauthorized_client', async () => {
  await t.broker.clients.save({ client_id: 'web', client_secret: secret, client_name: 'Webbtjänsten', redirect_uris: [REDIRECT_URI], brygga_first_party: true, scope });
  const web = await discover(t, 'web', oidc.ClientSecretBasic(secret));
  const ordersBefore = (await t.sim.orders()).length;
  const err = await refusal(oidc.initiateBackchannelAuthentication(web, phoneRequest()));
  assert.equal(err.error, 'unauthorized_client', err.error_description);
  assert.equal((await t.sim.orders()).length, ordersBefore);
});

test('a phone order started on one replica is collected and answered by another; the client polls the first', async () => {
  // This replica never collects: only the first broker's collector can finish the order and answer the request.
  const replica = await t.replica({ BANKID_COLLECT_CONCURRENCY: '0' });
  const viaReplica = await discover({ ...t, broker: replica }, 'callcentre', oidc.ClientSecretBasic(secret));
  const started = await oidc.initiateBackchannelAuthentication(viaReplica, phoneRequest());
  const order = await latestPhoneOrder();
  await approve(order.orderRef);
  const tokens = await oidc.pollBackchannelAuthenticationGrant(viaReplica, started);
  assert.equal(tokens.claims()![OIDC_SE.personalIdentityNumber], TEST_PERSON);
});

test('a phone order whose process stopped before answering its request is answered by the janitor, once', async () => {
  const db = t.broker.database.db;
  const started = await oidc.initiateBackchannelAuthentication(callCentre, phoneRequest());
  const order = await latestPhoneOrder();
  await approve(order.orderRef);
  const stored = () => db.selectFrom('oidc_payload').select('payload').where('model', '=', 'BackchannelAuthenticationRequest').where('id', '=', started.auth_req_id).executeTakeFirstOrThrow();
  await until(stored, (row) => typeof row.payload.grantId === 'string', 'the request was answered', 200, 50);
  // As if the process that ended the order had stopped before it wrote the answer.
  await sql`update oidc_payload set payload = payload - 'grantId' - 'acr' - 'amr' - 'authTime'
            where model = 'BackchannelAuthenticationRequest' and id = ${started.auth_req_id}`.execute(db);
  assert.equal((await refusal(oidc.genericGrantRequest(callCentre, CIBA, { auth_req_id: started.auth_req_id }))).error, 'authorization_pending');
  // The janitor (run here, and every 10 s by the broker itself) leaves an ended order's own process a few seconds first.
  const janitor = async () => { await t.broker.answerMissedPhoneOrders(); return stored(); };
  await until(janitor, (row) => typeof row.payload.grantId === 'string', 'the janitor answered the request', 300, 50);
  const tokens = await oidc.pollBackchannelAuthenticationGrant(callCentre, started);
  assert.equal(tokens.claims()![OIDC_SE.personalIdentityNumber], TEST_PERSON);
  assert.equal(await t.broker.answerMissedPhoneOrders(), 0, 'an answered request is not answered again');
});

test('an order nobody answers expires at BankID: the client gets expired_token, the ledger an expiry', async () => {
  const started = await oidc.initiateBackchannelAuthentication(callCentre, phoneRequest());
  const order = await latestPhoneOrder();
  // Once collected, the order waits for the person to take the call; then BankID's clock passes its lifetime.
  await until(() => t.sim.order(order.orderRef), (o) => o?.hintCode === 'userCallConfirm', 'the collector reached the order', 200, 50);
  // Just past it, so the failed order is still there to be collected.
  bankIdAheadMs = loadConfig({}).simulator.orderTtlS * 1000;
  try {
    const err = await refusal(oidc.pollBackchannelAuthenticationGrant(callCentre, started));
    assert.equal(err.error, 'expired_token', err.error_description);
    assert.match(err.error_description ?? '', /expired before the person answered/);
  } finally {
    bankIdAheadMs = 0;
  }
  assert.equal((await ledgerRow((await orderRow(order.orderRef)).id)).outcome, 'expired');
});

test('phone orders are rate limited like every order: over the client\'s cap, temporarily_unavailable with Retry-After and nothing sent to BankID', async () => {
  const limited = await client('limited');
  const tenant = await t.broker.tenants.get('default');
  await t.broker.tenants.update({ id: tenant.id, name: tenant.name, contacts: tenant.contacts, policy: { ...tenant.policy, startsPerClientPerMinute: 1 } });
  try {
    await until(async () => t.broker.clients.cached('limited'), (held) => !held, 'the policy change reached the client cache', 40, 50);
    await oidc.initiateBackchannelAuthentication(limited, phoneRequest());
    const ordersBefore = (await t.sim.orders()).length;
    const err = await refusal(oidc.initiateBackchannelAuthentication(limited, phoneRequest({ login_hint: OTHER })));
    assert.equal(err.error, 'temporarily_unavailable');
    assert.equal(err.status, 429);
    assert.ok(Number(err.response.headers.get('retry-after')) >= 1);
    assert.equal((await t.sim.orders()).length, ordersBefore, 'nothing was sent to BankID');
  } finally {
    await t.broker.tenants.update({ id: tenant.id, name: tenant.name, contacts: tenant.contacts, policy: tenant.policy });
  }
});
