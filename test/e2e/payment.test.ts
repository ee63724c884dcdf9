/**
 * Payments over OpenID Connect (Brygga's Payment Extension, docs/extensions.md): `urn:brygga:scope:payment` with
 * `urn:brygga:param:paymentRequest` runs a BankID payment order and returns `urn:brygga:claim:payment`; every rule is
 * enforced at the request; BankID's risk block reaches the client as access_denied; a payment never gives single
 * sign-on; the ledger counts it as a billable payment.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import * as oidc from 'openid-client';
import { BRYGGA, OIDC_SE } from '../../src/oidc/claims.ts';
import { usageRows } from '../../src/storage/usage.ts';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';
import {
  approveInApp, assertLedgered, assertNoSingleSignOn, assertRefusedAtAuthorization, completedInBrowser, consentAndReturn, identifiedBrowser,
  pushedParameter, pushedRequestObject, registerExtensionClient, signedParam, type ExtensionClient,
} from '../helpers/extension-requests.ts';
import { afterOrder, assertRefusedRequests, authorize, callbackOf, TEST_PERSON } from '../helpers/rp.ts';

const PAYMENT_REQUEST = 'urn:brygga:param:paymentRequest';
const SIGN_REQUEST = 'https://id.oidc.se/param/signRequest';
const scope = `openid ${OIDC_SE.naturalPersonNumber} ${BRYGGA.paymentScope}`;

let t: TestBroker;
let payer: ExtensionClient;
let strangerKey: CryptoKey;

before(async () => {
  t = await startTestBroker();
  ({ privateKey: strangerKey } = await generateKeyPair('ES256'));
  payer = await registerExtensionClient(t, { client_id: 'payer', client_name: 'Webbutiken', scope: `${scope} ${OIDC_SE.sign}` }, {
    scope, param: PAYMENT_REQUEST, consentTexts: [/Godkänn betalningen/, /<strong>Webbutiken<\/strong> är tjänsten du godkänner betalningen hos/],
  });
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

test('discovery announces the payment scope, its claim and the extension', () => {
  const meta = payer.config.serverMetadata();
  assert.ok(meta.scopes_supported?.includes(BRYGGA.paymentScope));
  assert.ok(meta.claims_supported?.includes(BRYGGA.paymentClaim));
  assert.equal(meta['urn:brygga:disco:paymentRequestSupported'], true);
});

test('a payment via PAR runs a BankID payment order and returns the approved transaction with its signature; the ledger bills it', async () => {
  const auth = await pushedRequestObject(t, payer, paymentRequest());
  // The page says what is approved, with the client's markup escaped.
  assert.match(auth.step.body, /Godkänn en betalning med BankID/);
  assert.match(auth.step.body, /<dd id="payment-recipient">Webbutiken &lt;script&gt;alert\(1\)&lt;\/script&gt; AB<\/dd>/);
  assert.match(auth.step.body, /<dd id="payment-amount">1499,00 SEK<\/dd>/);
  assert.match(auth.step.body, /<p class="message error" id="payment-risk"><strong>Varning:<\/strong> Ny mottagare\. Kontrollera beloppet\.<\/p>/);
  assert.match(auth.step.body, /Order 1234/);
  assert.doesNotMatch(auth.step.body, /<script>alert/);

  const paid = await approveInApp(t, auth);
  assert.equal(paid.status.state, 'complete');
  assert.deepEqual(paid.request.userVisibleTransaction, TRANSACTION, 'BankID got the transaction as the client sent it');
  assert.deepEqual(paid.request.riskFlags, ['newRecipient']);
  assert.equal(paid.request.userVisibleData, b64('Order 1234'));
  assert.equal((await t.sim.order(paid.orderRef))?.operation, 'payment', 'BankID ran a payment order');

  const callback = callbackOf(await consentAndReturn(t, payer, auth.browser, paid.uid));
  const tokens = await oidc.authorizationCodeGrant(payer.config, callback, { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce });
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
  const info = await oidc.fetchUserInfo(payer.config, tokens.access_token, claims.sub);
  assert.equal(info[BRYGGA.paymentClaim], undefined);

  const ledger = await assertLedgered(t, paid.orderRef, 'payment', 'complete');
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  const usage = await usageRows(t.broker.database.db, { tenantId: ledger.tenant_id, from: day(-1), to: day(2), by: 'month' });
  const payerUsage = usage.filter((u) => u.kind === 'client' && u.id === 'payer');
  assert.equal(payerUsage.reduce((sum, u) => sum + u.billable, 0), 1, 'the completed payment is billable');
});

test('a payment request as a plain parameter is a JWT signed with the client\'s registered key', async () => {
  const { step, browser } = await authorize(t, payer.config, {
    scope, prompt: 'login consent', ui_locales: 'en',
    [PAYMENT_REQUEST]: await signedParam(t, payer, payer.key, paymentRequest({ risk_flags: undefined, payment_message: undefined })),
  });
  assert.match(step.body, /Approve a payment with BankID/);
  assert.match(step.body, /You are about to approve this payment with BankID/);
  const paid = await approveInApp(t, { browser, step });
  assert.deepEqual(paid.request.userVisibleTransaction, TRANSACTION);
  assert.equal(paid.request.riskFlags, undefined);
});

test('a payment bound to one person hides the payment until BankID knows the person, and refuses another person', async () => {
  const claims = JSON.stringify({ id_token: { [OIDC_SE.personalIdentityNumber]: { essential: true, value: TEST_PERSON } } });
  const auth = await pushedRequestObject(t, payer, paymentRequest(), { claims });
  assert.match(auth.step.body, /Betalningen visas i din BankID-app/);
  assert.doesNotMatch(auth.step.body, /payment-recipient|1499,00/, 'neither recipient nor amount is shown before the person is known');
  const paid = await approveInApp(t, auth, { personalNumber: '200001012384' });
  assert.equal((paid.request.requirement as Record<string, unknown>).personalNumber, TEST_PERSON);
  assert.equal(paid.status.state, 'failed');
  assert.equal(paid.status.hintCode, 'certificateErr');
});

test('a payment BankID blocks for its risk ends with access_denied at the client', async () => {
  const auth = await pushedRequestObject(t, payer, paymentRequest());
  const blocked = await approveInApp(t, auth, { risk: 'high', blockHighRisk: true });
  assert.equal(blocked.status.state, 'failed');
  assert.equal(blocked.status.hintCode, 'transactionRiskBlocked');
  const refused = callbackOf(await afterOrder(t, auth.browser, blocked.uid)).searchParams;
  assert.equal(refused.get('error'), 'access_denied');
  assert.match(refused.get('error_description')!, /BankID blocked the payment because it judged the risk too high/);
  assert.equal(refused.get('state'), auth.state);
  const ledger = await assertLedgered(t, blocked.orderRef, 'payment', 'failed');
  assert.equal(ledger.hint_code, 'transactionRiskBlocked');
});

test('every rule violation is refused with invalid_request before any order', async () => {
  const orders = (await t.sim.orders()).length;
  const jwt = await signedParam(t, payer, payer.key, paymentRequest());
  const signRequest = await new SignJWT({ tbs_data: b64('avtal'), sign_message: { message: b64('Avtal') } })
    .setProtectedHeader({ alg: 'ES256', kid: payer.kid }).setIssuedAt().sign(payer.key);
  const bad = (request: Record<string, unknown>) => signedParam(t, payer, payer.key, request);
  await assertRefusedAtAuthorization(t, payer, [
    ['prompt without consent', { prompt: 'login', [PAYMENT_REQUEST]: jwt }, /a payment request must have prompt with both login and consent/],
    ['no prompt', { prompt: '', [PAYMENT_REQUEST]: jwt }, /prompt with both login and consent/],
    ['the scope without the parameter', {}, /urn:brygga:param:paymentRequest is required with the urn:brygga:scope:payment scope/],
    ['the parameter without the scope', { scope: 'openid', [PAYMENT_REQUEST]: jwt }, /needs the urn:brygga:scope:payment scope/],
    ['together with a signature', { scope: `${scope} ${OIDC_SE.sign}`, [SIGN_REQUEST]: signRequest, [PAYMENT_REQUEST]: jwt }, /cannot be combined with a sign scope/],
    ['unsigned', { [PAYMENT_REQUEST]: JSON.stringify(paymentRequest()) }, /must be a JWT signed with a key the client registered/],
    ['signed with another key', { [PAYMENT_REQUEST]: await signedParam(t, payer, strangerKey, paymentRequest()) }, /must be a JWT signed with a key the client registered/],
    ['no transaction', { [PAYMENT_REQUEST]: await bad({ risk_flags: ['other'] }) }, /transaction is required/],
    ['money with npa', { [PAYMENT_REQUEST]: await bad(paymentRequest({ transaction: { ...TRANSACTION, transactionType: 'npa' } })) }, /transaction\.money is not valid for BankID: not allowed when transactionType is npa/],
    ['an amount BankID cannot read', { [PAYMENT_REQUEST]: await bad(paymentRequest({ transaction: { ...TRANSACTION, money: { amount: '1 499.00', currency: 'SEK' } } })) }, /transaction\.money\.amount is not valid for BankID/],
    ['no currency code', { [PAYMENT_REQUEST]: await bad(paymentRequest({ transaction: { ...TRANSACTION, money: { amount: '10', currency: 'kronor' } } })) }, /transaction\.money\.currency is not valid for BankID/],
    ['no recipient', { [PAYMENT_REQUEST]: await bad(paymentRequest({ transaction: { transactionType: 'card' } })) }, /transaction\.recipient\.name is not valid for BankID/],
    ['an unknown transaction type', { [PAYMENT_REQUEST]: await bad(paymentRequest({ transaction: { ...TRANSACTION, transactionType: 'swish' } })) }, /transaction\.transactionType is not valid for BankID/],
    ['an unknown risk flag', { [PAYMENT_REQUEST]: await bad(paymentRequest({ risk_flags: ['unusual'] })) }, /risk_flags is not valid for BankID: unusual is not one of BankID's risk flags/],
    ['a misspelt member', { [PAYMENT_REQUEST]: await bad(paymentRequest({ riskFlags: ['newRecipient'] })) }, /unknown member riskFlags/],
    ['a text too long for BankID', { [PAYMENT_REQUEST]: await bad(paymentRequest({ payment_message: { message: b64('x'.repeat(1200)) } })) }, /message is too long for BankID/],
  ]);
  // Pushed by the authenticated client the parameter may be JSON; the rules are the same there.
  const push = (request: Record<string, unknown>, params: Record<string, string> = {}) => pushedParameter(payer, request, params);
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
  const browser = await identifiedBrowser(t, payer.config, payer.config);
  await completedInBrowser(t, payer, paymentRequest(), browser);
  await assertNoSingleSignOn(t, browser, [payer.config]);
});
