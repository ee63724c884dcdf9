/**
 * Payments over OpenID Connect (Brygga's Payment Extension, docs/extensions.md): `urn:brygga:scope:payment` with
 * `urn:brygga:param:paymentRequest` runs a BankID payment order and returns `urn:brygga:claim:payment`; every rule is
 * enforced at the request; BankID's risk block reaches the client as access_denied; a payment never gives single
 * sign-on; the ledger counts it as a billable payment.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import * as oidc from 'openid-client';
import { BRYGGA, OIDC_SE } from '../../src/oidc/claims.ts';
import { usageRows } from '../../src/storage/usage.ts';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';
import { field, HttpBrowser, type Step } from '../helpers/http-browser.ts';
import { afterOrder, assertRefusedRequests, authorize, callbackOf, discover, interactionUid, login, REDIRECT_URI, settled, startQr, TEST_PERSON } from '../helpers/rp.ts';

const PAYMENT_REQUEST = 'urn:brygga:param:paymentRequest';
const SIGN_REQUEST = 'https://id.oidc.se/param/signRequest';
const scope = `openid ${OIDC_SE.naturalPersonNumber} ${BRYGGA.paymentScope}`;

let t: TestBroker;
let payer: oidc.Configuration;
let clientKey: CryptoKey;
let strangerKey: CryptoKey;

before(async () => {
  t = await startTestBroker();
  const pair = await generateKeyPair('ES256');
  clientKey = pair.privateKey;
  ({ privateKey: strangerKey } = await generateKeyPair('ES256'));
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'payer-1', alg: 'ES256', use: 'sig' };
  await t.broker.clients.save({
    client_id: 'payer', client_name: 'Webbutiken', redirect_uris: [REDIRECT_URI], brygga_first_party: true,
    token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256', request_object_signing_alg: 'ES256', jwks: { keys: [jwk] },
    scope: `${scope} ${OIDC_SE.sign}`,
  });
  payer = await discover(t, 'payer', oidc.PrivateKeyJwt({ key: clientKey, kid: 'payer-1' }));
});
after(async () => { await t?.close(); });

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const TRANSACTION = {
  transactionType: 'card',
  recipient: { name: 'Webbutiken <script>alert(1)</script> AB' },
  money: { amount: '1499,00', currency: 'SEK' },
  // Two dots: JSON is never taken for a compact JWT.
  riskWarning: 'Ny mottagare. Kontrollera beloppet.',
};
const paymentRequest = (extra: Record<string, unknown> = {}) => ({
  transaction: TRANSACTION, risk_flags: ['newRecipient'], payment_message: { message: b64('Order 1234') }, ...extra,
});

async function pkce() {
  const verifier = oidc.randomPKCECodeVerifier();
  return { verifier, state: oidc.randomState(), nonce: oidc.randomNonce(), challenge: await oidc.calculatePKCECodeChallenge(verifier) };
}

/** A payment request pushed (PAR) as a request object signed with the client's key; the browser opens it. */
async function pushedPayment(request: Record<string, unknown> = paymentRequest(), browser = new HttpBrowser(), params: Record<string, string> = {}) {
  const p = await pkce();
  const { searchParams } = await oidc.buildAuthorizationUrlWithJAR(payer, {
    redirect_uri: REDIRECT_URI, scope, prompt: 'login consent', state: p.state, nonce: p.nonce,
    code_challenge: p.challenge, code_challenge_method: 'S256', [PAYMENT_REQUEST]: JSON.stringify(request), ...params,
  }, { key: clientKey, kid: 'payer-1' });
  const url = await oidc.buildAuthorizationUrlWithPAR(payer, searchParams);
  const step = await browser.follow(await browser.get(url.href), (u) => !u.startsWith(t.broker.url));
  return { browser, step, ...p };
}

/** The person approves the order in the app (`approval` as the simulator's control API takes it). */
async function approve(auth: { browser: HttpBrowser; step: Step }, approval: Record<string, unknown> = {}) {
  const { uid, orderRef } = await startQr(t, auth);
  const approved = await t.sim.post(`/sim/orders/${orderRef}/approve`, { personalNumber: TEST_PERSON, ...approval });
  assert.equal(approved.status, 200, JSON.stringify(approved.json));
  const status = await settled(t, auth.browser, uid);
  return { uid, orderRef, status, request: approved.json.request as Record<string, unknown> };
}

async function consentAndReturn(browser: HttpBrowser, uid: string): Promise<Step> {
  const consent = await afterOrder(t, browser, uid);
  const consentUid = interactionUid(consent);
  assert.match(consent.body, /Godkänn betalningen/);
  assert.match(consent.body, /<strong>Webbutiken<\/strong> är tjänsten du godkänner betalningen hos/);
  const posted = await browser.post(`${t.broker.url}/interaction/${consentUid}/consent`, { csrf: field(consent.body, 'csrf'), decision: 'allow' });
  return browser.follow(posted, (u) => !u.startsWith(t.broker.url));
}

const signedParam = (key: CryptoKey, payload: Record<string, unknown> = paymentRequest()) =>
  new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: 'payer-1' }).setIssuer('payer').setAudience(t.broker.url).setIssuedAt().sign(key);

/** Where a plain authorization request ends: the error the client's callback gets. */
async function refusedAtAuthorization(params: Record<string, string>): Promise<URLSearchParams> {
  const p = await pkce();
  const url = oidc.buildAuthorizationUrl(payer, {
    redirect_uri: REDIRECT_URI, scope, prompt: 'login consent', state: p.state, code_challenge: p.challenge, code_challenge_method: 'S256', ...params,
  });
  const browser = new HttpBrowser();
  const step = await browser.follow(await browser.get(url.href), (u) => !u.startsWith(t.broker.url));
  return callbackOf(step).searchParams;
}

test('discovery announces the payment scope, its claim and the extension', () => {
  const meta = payer.serverMetadata();
  assert.ok(meta.scopes_supported?.includes(BRYGGA.paymentScope));
  assert.ok(meta.claims_supported?.includes(BRYGGA.paymentClaim));
  assert.equal(meta['urn:brygga:disco:paymentRequestSupported'], true);
});

test('a payment via PAR runs a BankID payment order and returns the approved transaction with its signature; the ledger bills it', async () => {
  const auth = await pushedPayment();
  // The page says what is approved, with the client's markup escaped.
  assert.match(auth.step.body, /Godkänn en betalning med BankID/);
  assert.match(auth.step.body, /<dd id="payment-recipient">Webbutiken &lt;script&gt;alert\(1\)&lt;\/script&gt; AB<\/dd>/);
  assert.match(auth.step.body, /<dd id="payment-amount">1499,00 SEK<\/dd>/);
  assert.match(auth.step.body, /<p class="message error" id="payment-risk"><strong>Varning:<\/strong> Ny mottagare\. Kontrollera beloppet\.<\/p>/);
  assert.match(auth.step.body, /Order 1234/);
  assert.doesNotMatch(auth.step.body, /<script>alert/);

  const paid = await approve(auth);
  assert.equal(paid.status.state, 'complete');
  assert.deepEqual(paid.request.userVisibleTransaction, TRANSACTION, 'BankID got the transaction as the client sent it');
  assert.deepEqual(paid.request.riskFlags, ['newRecipient']);
  assert.equal(paid.request.userVisibleData, b64('Order 1234'));
  assert.equal((await t.sim.order(paid.orderRef))?.operation, 'payment', 'BankID ran a payment order');

  const callback = callbackOf(await consentAndReturn(auth.browser, paid.uid));
  const tokens = await oidc.authorizationCodeGrant(payer, callback, { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce });
  const claims = tokens.claims()!;
  assert.equal(claims[OIDC_SE.personalIdentityNumber], TEST_PERSON);
  assert.equal(typeof claims.auth_time, 'number');
  const payment = claims[BRYGGA.paymentClaim] as { transaction: unknown; risk_flags: unknown; signature: string };
  assert.deepEqual(payment.transaction, TRANSACTION);
  assert.deepEqual(payment.risk_flags, ['newRecipient']);
  const xml = Buffer.from(payment.signature, 'base64').toString('utf8');
  assert.match(xml, /<funcId>Payment<\/funcId>/);
  assert.match(xml, new RegExp(`<usrVisibleData[^>]*>${b64('Order 1234')}</usrVisibleData>`));
  assert.equal(claims[OIDC_SE.userSignature], undefined, 'a payment is no signature of a text');
  // Like a signature, the approval is delivered in the ID token only.
  const info = await oidc.fetchUserInfo(payer, tokens.access_token, claims.sub);
  assert.equal(info[BRYGGA.paymentClaim], undefined);

  const row = await t.broker.database.db.selectFrom('bankid_orders').select(['id', 'operation']).where('order_ref', '=', paid.orderRef).executeTakeFirstOrThrow();
  assert.equal(row.operation, 'payment');
  const ledger = await t.broker.database.db.selectFrom('usage_ledger').selectAll().where('order_id', '=', row.id).executeTakeFirstOrThrow();
  assert.equal(ledger.operation, 'payment');
  assert.equal(ledger.outcome, 'complete');
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  const usage = await usageRows(t.broker.database.db, { tenantId: ledger.tenant_id, from: day(-1), to: day(2), by: 'month' });
  const payerUsage = usage.filter((u) => u.kind === 'client' && u.id === 'payer');
  assert.equal(payerUsage.reduce((sum, u) => sum + u.billable, 0), 1, 'the completed payment is billable');
});

test('a payment request as a plain parameter is a JWT signed with the client\'s registered key', async () => {
  const p = await pkce();
  const url = oidc.buildAuthorizationUrl(payer, {
    redirect_uri: REDIRECT_URI, scope, prompt: 'login consent', state: p.state, nonce: p.nonce, code_challenge: p.challenge, code_challenge_method: 'S256',
    ui_locales: 'en', [PAYMENT_REQUEST]: await signedParam(clientKey, paymentRequest({ risk_flags: undefined, payment_message: undefined })),
  });
  const browser = new HttpBrowser();
  const step = await browser.follow(await browser.get(url.href), (u) => !u.startsWith(t.broker.url));
  assert.match(step.body, /Approve a payment with BankID/);
  assert.match(step.body, /You are about to approve this payment with BankID/);
  const paid = await approve({ browser, step });
  assert.deepEqual(paid.request.userVisibleTransaction, TRANSACTION);
  assert.equal(paid.request.riskFlags, undefined);
});

test('a payment bound to one person hides the payment until BankID knows the person, and refuses another person', async () => {
  const claims = JSON.stringify({ id_token: { [OIDC_SE.personalIdentityNumber]: { essential: true, value: TEST_PERSON } } });
  const auth = await pushedPayment(paymentRequest(), new HttpBrowser(), { claims });
  assert.match(auth.step.body, /Betalningen visas i din BankID-app/);
  assert.doesNotMatch(auth.step.body, /payment-recipient|1499,00/, 'neither recipient nor amount is shown before the person is known');
  const paid = await approve(auth, { personalNumber: '200001012384' });
  assert.equal((paid.request.requirement as Record<string, unknown>).personalNumber, TEST_PERSON);
  assert.equal(paid.status.state, 'failed');
  assert.equal(paid.status.hintCode, 'certificateErr');
});

test('a payment BankID blocks for its risk ends with access_denied at the client', async () => {
  const auth = await pushedPayment();
  const blocked = await approve(auth, { risk: 'high', blockHighRisk: true });
  assert.equal(blocked.status.state, 'failed');
  assert.equal(blocked.status.hintCode, 'transactionRiskBlocked');
  const refused = callbackOf(await afterOrder(t, auth.browser, blocked.uid)).searchParams;
  assert.equal(refused.get('error'), 'access_denied');
  assert.match(refused.get('error_description')!, /BankID blocked the payment because it judged the risk too high/);
  assert.equal(refused.get('state'), auth.state);
  const row = await t.broker.database.db.selectFrom('bankid_orders').select('id').where('order_ref', '=', blocked.orderRef).executeTakeFirstOrThrow();
  const ledger = await t.broker.database.db.selectFrom('usage_ledger').selectAll().where('order_id', '=', row.id).executeTakeFirstOrThrow();
  assert.equal(ledger.outcome, 'failed');
  assert.equal(ledger.hint_code, 'transactionRiskBlocked');
});

test('every rule violation is refused with invalid_request before any order', async () => {
  const orders = (await t.sim.orders()).length;
  const jwt = await signedParam(clientKey);
  const signRequest = await new SignJWT({ tbs_data: b64('avtal'), sign_message: { message: b64('Avtal') } })
    .setProtectedHeader({ alg: 'ES256', kid: 'payer-1' }).setIssuedAt().sign(clientKey);
  const bad = async (request: Record<string, unknown>) => signedParam(clientKey, request);
  const atAuthorization: [string, Record<string, string>, RegExp][] = [
    ['prompt without consent', { prompt: 'login', [PAYMENT_REQUEST]: jwt }, /a payment request must have prompt with both login and consent/],
    ['no prompt', { prompt: '', [PAYMENT_REQUEST]: jwt }, /prompt with both login and consent/],
    ['the scope without the parameter', {}, /urn:brygga:param:paymentRequest is required with the urn:brygga:scope:payment scope/],
    ['the parameter without the scope', { scope: 'openid', [PAYMENT_REQUEST]: jwt }, /needs the urn:brygga:scope:payment scope/],
    ['together with a signature', { scope: `${scope} ${OIDC_SE.sign}`, [SIGN_REQUEST]: signRequest, [PAYMENT_REQUEST]: jwt }, /cannot be combined with a sign scope/],
    ['unsigned', { [PAYMENT_REQUEST]: JSON.stringify(paymentRequest()) }, /must be a JWT signed with a key the client registered/],
    ['signed with another key', { [PAYMENT_REQUEST]: await signedParam(strangerKey) }, /must be a JWT signed with a key the client registered/],
    ['no transaction', { [PAYMENT_REQUEST]: await bad({ risk_flags: ['other'] }) }, /transaction is required/],
    ['money with npa', { [PAYMENT_REQUEST]: await bad(paymentRequest({ transaction: { ...TRANSACTION, transactionType: 'npa' } })) }, /transaction\.money is not valid for BankID: not allowed when transactionType is npa/],
    ['an amount BankID cannot read', { [PAYMENT_REQUEST]: await bad(paymentRequest({ transaction: { ...TRANSACTION, money: { amount: '1 499.00', currency: 'SEK' } } })) }, /transaction\.money\.amount is not valid for BankID/],
    ['no currency code', { [PAYMENT_REQUEST]: await bad(paymentRequest({ transaction: { ...TRANSACTION, money: { amount: '10', currency: 'kronor' } } })) }, /transaction\.money\.currency is not valid for BankID/],
    ['no recipient', { [PAYMENT_REQUEST]: await bad(paymentRequest({ transaction: { transactionType: 'card' } })) }, /transaction\.recipient\.name is not valid for BankID/],
    ['an unknown transaction type', { [PAYMENT_REQUEST]: await bad(paymentRequest({ transaction: { ...TRANSACTION, transactionType: 'swish' } })) }, /transaction\.transactionType is not valid for BankID/],
    ['an unknown risk flag', { [PAYMENT_REQUEST]: await bad(paymentRequest({ risk_flags: ['unusual'] })) }, /risk_flags is not valid for BankID: unusual is not one of BankID's risk flags/],
    ['a misspelt member', { [PAYMENT_REQUEST]: await bad(paymentRequest({ riskFlags: ['newRecipient'] })) }, /unknown member riskFlags/],
    ['a text too long for BankID', { [PAYMENT_REQUEST]: await bad(paymentRequest({ payment_message: { message: b64('x'.repeat(1200)) } })) }, /message is too long for BankID/],
  ];
  for (const [what, params, described] of atAuthorization) {
    const refused = await refusedAtAuthorization(params);
    assert.equal(refused.get('error'), 'invalid_request', what);
    assert.match(refused.get('error_description')!, described, what);
  }
  // Pushed by the authenticated client the parameter may be JSON; the rules are the same there.
  const push = async (request: Record<string, unknown>, params: Record<string, string> = {}) => {
    const p = await pkce();
    return oidc.buildAuthorizationUrlWithPAR(payer, {
      redirect_uri: REDIRECT_URI, scope, prompt: 'login consent', state: p.state, code_challenge: p.challenge, code_challenge_method: 'S256',
      [PAYMENT_REQUEST]: JSON.stringify(request), ...params,
    });
  };
  assert.ok(await push(paymentRequest()), 'a valid pushed payment is accepted');
  const refusals: Parameters<typeof assertRefusedRequests>[0] = [
    [() => push(paymentRequest({ transaction: { ...TRANSACTION, money: { amount: '12.50', currency: 'SEK' } } })), /transaction\.money\.amount is not valid for BankID/],
    [() => push(paymentRequest(), { prompt: 'consent' }), /prompt with both login and consent/],
  ];
  await assertRefusedRequests(refusals);
  assert.equal((await t.sim.orders()).length, orders, 'no BankID order was started');
});

test('a payment neither seeds single sign-on nor lets the earlier session live on', async () => {
  // The control: after an identification the same client gets a code silently.
  const browser = new HttpBrowser();
  await login(t, payer, { scope: 'openid' }, browser);
  const silent = await authorize(t, payer, { prompt: 'none' }, browser);
  assert.ok(callbackOf(silent.step).searchParams.get('code'), 'an identification gives single sign-on');

  const auth = await pushedPayment(paymentRequest(), browser);
  const paid = await approve(auth);
  callbackOf(await consentAndReturn(browser, paid.uid));
  const after = await authorize(t, payer, { prompt: 'none' }, browser);
  assert.equal(callbackOf(after.step).searchParams.get('error'), 'login_required');
});
