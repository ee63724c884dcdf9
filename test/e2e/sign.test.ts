/**
 * Signatures over OpenID Connect (oidc.se Signature Extension): `scope/sign` with `param/signRequest` runs a BankID
 * sign order and returns `userSignature`; every rule of the extension is enforced at the request; a signature never
 * gives single sign-on; the ledger counts it as a signature.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generateKeyPair, type CryptoKey } from 'jose';
import * as oidc from 'openid-client';
import { OIDC_SE } from '../../src/oidc/claims.ts';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';
import {
  approveInApp, assertLedgered, assertNoSingleSignOn, assertRefusedAtAuthorization, completedInBrowser, consentAndReturn, identifiedBrowser,
  pushedParameter, pushedRequestObject, registerExtensionClient, signedParam, type ExtensionClient,
} from '../helpers/extension-requests.ts';
import { assertRefusedRequests, authorize, callbackOf, discover, interactionUid, REDIRECT_URI, TEST_PERSON } from '../helpers/rp.ts';

const SIGN_REQUEST = 'https://id.oidc.se/param/signRequest';
const OTHER = '200001012384';
const secret = 'sign-secret-0123456789abcdefghijklmn';
const scope = `openid ${OIDC_SE.naturalPersonNumber} ${OIDC_SE.sign}`;

let t: TestBroker;
let signer: ExtensionClient;
let other: oidc.Configuration;
let strangerKey: CryptoKey;

before(async () => {
  // Room for a signature text at BankID's own limit (the defaults bound a request to 32 KB).
  t = await startTestBroker({ AUTH_LARGE_PARAM_MAX_BYTES: '65536', AUTH_REQUEST_MAX_BYTES: '65536' });
  ({ privateKey: strangerKey } = await generateKeyPair('ES256'));
  // Both clients share an SSO group: an identification at one gives the other single sign-on; a signature must not.
  signer = await registerExtensionClient(t, {
    client_id: 'signer', client_name: 'Avtalstjänsten', brygga_sso_group: 'kommun', scope: `${scope} ${OIDC_SE.signApproval}`,
  }, { scope, param: SIGN_REQUEST, consentTexts: [/<strong>Avtalstjänsten<\/strong> är tjänsten du skriver under för/, /Godkänn underskriften/] });
  await t.broker.clients.save({
    client_id: 'other', client_secret: secret, client_name: 'other', redirect_uris: [REDIRECT_URI], brygga_first_party: true, brygga_sso_group: 'kommun', scope: 'openid',
  });
  other = await discover(t, 'other', oidc.ClientSecretBasic(secret));
});
after(async () => { await t?.close(); });

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const TBS = Buffer.from('<avtal id="17">Hyreskontrakt, lägenhet 1102</avtal>').toString('base64');
const MESSAGE = '# Hyreskontrakt\nJag godkänner *hyreskontraktet* för lägenhet 1102.\n<script>alert(1)</script>';
const signRequest = (extra: Record<string, unknown> = {}) => ({ tbs_data: TBS, sign_message: { message: b64(MESSAGE), mime_type: 'text/markdown' }, ...extra });
const bindTo = (person: string) => JSON.stringify({ id_token: { [OIDC_SE.personalIdentityNumber]: { essential: true, value: person } } });

test('discovery announces the sign scopes, the signature claim and request objects', async () => {
  const meta = signer.config.serverMetadata();
  assert.ok(meta.scopes_supported?.includes(OIDC_SE.sign));
  assert.ok(meta.scopes_supported?.includes(OIDC_SE.signApproval));
  assert.ok(meta.claims_supported?.includes(OIDC_SE.userSignature));
  assert.equal(meta.request_parameter_supported, true);
  assert.ok(meta.pushed_authorization_request_endpoint);
});

test('a sign request via PAR with a signed request object returns userSignature holding the data the client sent', async () => {
  const auth = await pushedRequestObject(t, signer, signRequest());
  assert.match(auth.step.body, /Skriv under med BankID/);
  // The text as the app renders it, and the client's markup escaped.
  assert.match(auth.step.body, /<h3>Hyreskontrakt<\/h3>/);
  assert.match(auth.step.body, /<strong>hyreskontraktet<\/strong>/);
  assert.match(auth.step.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.doesNotMatch(auth.step.body, /<script>alert/);
  const signed = await approveInApp(t, auth);
  assert.equal(signed.status.state, 'complete');
  assert.equal(signed.request.userNonVisibleData, TBS, 'tbs_data goes to BankID as userNonVisibleData');
  assert.equal(signed.request.userVisibleData, b64(MESSAGE));
  assert.equal(signed.request.userVisibleDataFormat, 'simpleMarkdownV1');
  assert.equal((await t.sim.order(signed.orderRef))?.operation, 'sign', 'BankID ran a sign order');

  const callback = callbackOf(await consentAndReturn(t, signer, auth.browser, signed.uid));
  const tokens = await oidc.authorizationCodeGrant(signer.config, callback, { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce });
  const claims = tokens.claims()!;
  assert.equal(typeof claims.auth_time, 'number');
  assert.equal(claims[OIDC_SE.personalIdentityNumber], TEST_PERSON);
  const xml = Buffer.from(String(claims[OIDC_SE.userSignature]), 'base64').toString('utf8');
  assert.match(xml, new RegExp(`<usrNonVisibleData>${TBS.replace(/[+/=]/g, '\\$&')}</usrNonVisibleData>`));
  assert.match(xml, /<funcId>Signing<\/funcId>/);
  // The signature is delivered in the ID token only (Signature Extension 5.2).
  const info = await oidc.fetchUserInfo(signer.config, tokens.access_token, claims.sub);
  assert.equal(info[OIDC_SE.userSignature], undefined);

  await assertLedgered(t, signed.orderRef, 'sign', 'complete');
});

test('a signature request as a plain parameter is a JWT signed with the client\'s registered key', async () => {
  const auth = await authorize(t, signer.config, {
    scope, prompt: 'login consent', [SIGN_REQUEST]: await signedParam(t, signer, signer.key, signRequest()),
  });
  const signed = await approveInApp(t, auth);
  assert.equal(signed.request.userNonVisibleData, TBS);
  const callback = callbackOf(await consentAndReturn(t, signer, auth.browser, signed.uid));
  const tokens = await oidc.authorizationCodeGrant(signer.config, callback, { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce });
  assert.ok(tokens.claims()![OIDC_SE.userSignature]);
});

test('a sign request bound to one person hides the text and refuses another person', async () => {
  const auth = await pushedRequestObject(t, signer, signRequest(), { claims: bindTo(TEST_PERSON) });
  assert.doesNotMatch(auth.step.body, /Hyreskontrakt/, 'the text is not shown before the person is known');
  const signed = await approveInApp(t, auth, { personalNumber: OTHER });
  assert.equal(signed.request.requirement && (signed.request.requirement as Record<string, unknown>).personalNumber, TEST_PERSON);
  assert.equal(signed.status.state, 'failed');
  assert.equal(signed.status.hintCode, 'certificateErr');
});

test('every rule violation is refused with invalid_request', async () => {
  const jwt = await signedParam(t, signer, signer.key, signRequest());
  await assertRefusedAtAuthorization(t, signer, [
    ['prompt without consent', { prompt: 'login', [SIGN_REQUEST]: jwt }, /prompt with both login and consent/],
    ['no prompt', { prompt: '', [SIGN_REQUEST]: jwt }, /prompt with both login and consent/],
    ['sign without signRequest', {}, /is required/],
    ['sign without tbs_data', { [SIGN_REQUEST]: await signedParam(t, signer, signer.key, signRequest({ tbs_data: undefined })) }, /tbs_data is required/],
    ['signApproval with tbs_data', { scope: `openid ${OIDC_SE.signApproval}`, [SIGN_REQUEST]: jwt }, /tbs_data is not allowed/],
    ['tbs_data not base64', { [SIGN_REQUEST]: await signedParam(t, signer, signer.key, signRequest({ tbs_data: 'not base64!' })) }, /tbs_data must be base64/],
    ['unsigned signRequest', { [SIGN_REQUEST]: JSON.stringify(signRequest()) }, /must be a JWT signed/],
    ['signRequest signed with another key', { [SIGN_REQUEST]: await signedParam(t, signer, strangerKey, signRequest()) }, /must be a JWT signed/],
    ['unsecured JWT', { [SIGN_REQUEST]: `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(signRequest())).toString('base64url')}.` }, /must be a JWT signed/],
    ['signRequest without a sign scope', { scope: 'openid', [SIGN_REQUEST]: jwt }, /needs the/],
    ['approval text too long for an identification', { scope: `openid ${OIDC_SE.signApproval}`, [SIGN_REQUEST]: await signedParam(t, signer, signer.key, { sign_message: { message: b64('x'.repeat(1200)) } }) }, /too long for BankID/],
  ]);
  // BankID takes at most 40 000 characters of base64 as a signature's text: refused when pushed, no order started.
  // A pushed request from an authenticated client may carry the parameter as JSON (oidc-provider trusts it as a whole).
  const orders = (await t.sim.orders()).length;
  const push = (request: Record<string, unknown>, params: Record<string, string> = {}) => pushedParameter(signer, request, params);
  assert.ok(await push(signRequest({ sign_message: { message: b64('x'.repeat(30_000)) } })), 'a text at the limit is accepted');
  const refusals: Parameters<typeof assertRefusedRequests>[0] = [
    [() => push(signRequest({ sign_message: { message: b64('x'.repeat(30_001)) } })), /message is too long for BankID \(at most 40000/],
    [() => push(signRequest(), { prompt: 'consent' }), /prompt with both login and consent/],
    [() => push(signRequest({ tbs_data: undefined })), /tbs_data is required/],
  ];
  await assertRefusedRequests(refusals);
  assert.equal((await t.sim.orders()).length, orders, 'no BankID order was started');
});

test('a signature never gives single sign-on to a later request of another client', async () => {
  // The control: an identification at the signing client gives its SSO-group partner the session.
  const browser = await identifiedBrowser(t, signer.config, other);
  // A signature in the same browser neither seeds single sign-on nor lets the earlier session live on.
  await completedInBrowser(t, signer, signRequest(), browser);
  await assertNoSingleSignOn(t, browser, [other, signer.config]);
  // Without prompt=none the partner gets a BankID login of its own.
  interactionUid((await authorize(t, other, {}, browser)).step);
});
