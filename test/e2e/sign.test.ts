/**
 * Signatures over OpenID Connect (oidc.se Signature Extension): `scope/sign` with `param/signRequest` runs a BankID
 * sign order and returns `userSignature`; every rule of the extension is enforced at the request; a signature never
 * gives single sign-on; the ledger counts it as a signature.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import * as oidc from 'openid-client';
import { OIDC_SE } from '../../src/oidc/claims.ts';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';
import { field, HttpBrowser, type Step } from '../helpers/http-browser.ts';
import { afterOrder, assertRefusedRequests, authorize, callbackOf, discover, interactionUid, login, REDIRECT_URI, settled, startQr, TEST_PERSON } from '../helpers/rp.ts';

const SIGN_REQUEST = 'https://id.oidc.se/param/signRequest';
const OTHER = '200001012384';
const secret = 'sign-secret-0123456789abcdefghijklmn';
const scope = `openid ${OIDC_SE.naturalPersonNumber} ${OIDC_SE.sign}`;

let t: TestBroker;
let signer: oidc.Configuration;
let other: oidc.Configuration;
let clientKey: CryptoKey;
let strangerKey: CryptoKey;

before(async () => {
  // Room for a signature text at BankID's own limit (the defaults bound a request to 32 KB).
  t = await startTestBroker({ AUTH_LARGE_PARAM_MAX_BYTES: '65536', AUTH_REQUEST_MAX_BYTES: '65536' });
  const pair = await generateKeyPair('ES256');
  clientKey = pair.privateKey;
  ({ privateKey: strangerKey } = await generateKeyPair('ES256'));
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'signer-1', alg: 'ES256', use: 'sig' };
  // Both clients share an SSO group: an identification at one gives the other single sign-on; a signature must not.
  await t.broker.clients.save({
    client_id: 'signer', client_name: 'Avtalstjänsten', redirect_uris: [REDIRECT_URI], brygga_first_party: true, brygga_sso_group: 'kommun',
    token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256', request_object_signing_alg: 'ES256', jwks: { keys: [jwk] },
    scope: `${scope} ${OIDC_SE.signApproval}`,
  });
  await t.broker.clients.save({
    client_id: 'other', client_secret: secret, client_name: 'other', redirect_uris: [REDIRECT_URI], brygga_first_party: true, brygga_sso_group: 'kommun', scope: 'openid',
  });
  signer = await discover(t, 'signer', oidc.PrivateKeyJwt({ key: clientKey, kid: 'signer-1' }));
  other = await discover(t, 'other', oidc.ClientSecretBasic(secret));
});
after(async () => { await t?.close(); });

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const TBS = Buffer.from('<avtal id="17">Hyreskontrakt, lägenhet 1102</avtal>').toString('base64');
const MESSAGE = '# Hyreskontrakt\nJag godkänner *hyreskontraktet* för lägenhet 1102.\n<script>alert(1)</script>';
const signRequest = (extra: Record<string, unknown> = {}) => ({ tbs_data: TBS, sign_message: { message: b64(MESSAGE), mime_type: 'text/markdown' }, ...extra });
const bindTo = (person: string) => JSON.stringify({ id_token: { [OIDC_SE.personalIdentityNumber]: { essential: true, value: person } } });

async function pkce() {
  const verifier = oidc.randomPKCECodeVerifier();
  return { verifier, state: oidc.randomState(), nonce: oidc.randomNonce(), challenge: await oidc.calculatePKCECodeChallenge(verifier) };
}

/** A signature request pushed (PAR) as a request object signed with the client's key; the browser opens it. */
async function pushedSignRequest(params: Record<string, string> = {}, request: Record<string, unknown> = signRequest(), browser = new HttpBrowser()) {
  const p = await pkce();
  const { searchParams } = await oidc.buildAuthorizationUrlWithJAR(signer, {
    redirect_uri: REDIRECT_URI, scope, prompt: 'login consent', state: p.state, nonce: p.nonce,
    code_challenge: p.challenge, code_challenge_method: 'S256', [SIGN_REQUEST]: JSON.stringify(request), ...params,
  }, { key: clientKey, kid: 'signer-1' });
  const url = await oidc.buildAuthorizationUrlWithPAR(signer, searchParams);
  const step = await browser.follow(await browser.get(url.href), (u) => !u.startsWith(t.broker.url));
  return { browser, step, ...p };
}

/** The person approves the order in the app, the page finishes the login, the person approves on the consent page. */
async function signAs(auth: { browser: HttpBrowser; step: Step }, person = TEST_PERSON) {
  const { uid, orderRef } = await startQr(t, auth);
  const approved = await t.sim.post(`/sim/orders/${orderRef}/approve`, { personalNumber: person });
  assert.equal(approved.status, 200, JSON.stringify(approved.json));
  const status = await settled(t, auth.browser, uid);
  return { uid, orderRef, status, request: approved.json.request as Record<string, unknown> };
}

async function consentAndReturn(browser: HttpBrowser, uid: string): Promise<Step> {
  const consent = await afterOrder(t, browser, uid);
  const consentUid = interactionUid(consent);
  assert.match(consent.body, /<strong>Avtalstjänsten<\/strong> är tjänsten du skriver under för/);
  assert.match(consent.body, /Godkänn underskriften/);
  const posted = await browser.post(`${t.broker.url}/interaction/${consentUid}/consent`, { csrf: field(consent.body, 'csrf'), decision: 'allow' });
  return browser.follow(posted, (u) => !u.startsWith(t.broker.url));
}

/** A signature JWT as a plain parameter. */
const signedParam = (key: CryptoKey, payload: Record<string, unknown> = signRequest()) =>
  new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: 'signer-1' }).setIssuer('signer').setAudience(t.broker.url).setIssuedAt().sign(key);

/** Where a plain authorization request ends: the error the client's callback gets. */
async function refusedAtAuthorization(params: Record<string, string>): Promise<URLSearchParams> {
  const p = await pkce();
  const url = oidc.buildAuthorizationUrl(signer, {
    redirect_uri: REDIRECT_URI, scope, prompt: 'login consent', state: p.state, code_challenge: p.challenge, code_challenge_method: 'S256', ...params,
  });
  const step = await new HttpBrowser().follow(await new HttpBrowser().get(url.href), (u) => !u.startsWith(t.broker.url));
  return callbackOf(step).searchParams;
}

test('discovery announces the sign scopes, the signature claim and request objects', async () => {
  const meta = signer.serverMetadata();
  assert.ok(meta.scopes_supported?.includes(OIDC_SE.sign));
  assert.ok(meta.scopes_supported?.includes(OIDC_SE.signApproval));
  assert.ok(meta.claims_supported?.includes(OIDC_SE.userSignature));
  assert.equal(meta.request_parameter_supported, true);
  assert.ok(meta.pushed_authorization_request_endpoint);
});

test('a sign request via PAR with a signed request object returns userSignature holding the data the client sent', async () => {
  const auth = await pushedSignRequest();
  assert.match(auth.step.body, /Skriv under med BankID/);
  // The text as the app renders it, and the client's markup escaped.
  assert.match(auth.step.body, /<h3>Hyreskontrakt<\/h3>/);
  assert.match(auth.step.body, /<strong>hyreskontraktet<\/strong>/);
  assert.match(auth.step.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.doesNotMatch(auth.step.body, /<script>alert/);
  const signed = await signAs(auth);
  assert.equal(signed.status.state, 'complete');
  assert.equal(signed.request.userNonVisibleData, TBS, 'tbs_data goes to BankID as userNonVisibleData');
  assert.equal(signed.request.userVisibleData, b64(MESSAGE));
  assert.equal(signed.request.userVisibleDataFormat, 'simpleMarkdownV1');
  const order = await t.sim.order(signed.orderRef);
  assert.equal(order?.operation, 'sign', 'BankID ran a sign order');

  const callback = callbackOf(await consentAndReturn(auth.browser, signed.uid));
  const tokens = await oidc.authorizationCodeGrant(signer, callback, { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce });
  const claims = tokens.claims()!;
  assert.equal(typeof claims.auth_time, 'number');
  assert.equal(claims[OIDC_SE.personalIdentityNumber], TEST_PERSON);
  const xml = Buffer.from(String(claims[OIDC_SE.userSignature]), 'base64').toString('utf8');
  assert.match(xml, new RegExp(`<usrNonVisibleData>${TBS.replace(/[+/=]/g, '\\$&')}</usrNonVisibleData>`));
  assert.match(xml, /<funcId>Signing<\/funcId>/);
  // The signature is delivered in the ID token only (Signature Extension 5.2).
  const info = await oidc.fetchUserInfo(signer, tokens.access_token, claims.sub);
  assert.equal(info[OIDC_SE.userSignature], undefined);

  const row = await t.broker.database.db.selectFrom('bankid_orders').select(['id', 'operation']).where('order_ref', '=', signed.orderRef).executeTakeFirstOrThrow();
  assert.equal(row.operation, 'sign');
  const ledger = await t.broker.database.db.selectFrom('usage_ledger').selectAll().where('order_id', '=', row.id).executeTakeFirstOrThrow();
  assert.equal(ledger.operation, 'sign');
  assert.equal(ledger.outcome, 'complete');
});

test('a signature request as a plain parameter is a JWT signed with the client\'s registered key', async () => {
  const p = await pkce();
  const url = oidc.buildAuthorizationUrl(signer, {
    redirect_uri: REDIRECT_URI, scope, prompt: 'login consent', state: p.state, nonce: p.nonce, code_challenge: p.challenge, code_challenge_method: 'S256',
    [SIGN_REQUEST]: await signedParam(clientKey),
  });
  const browser = new HttpBrowser();
  const step = await browser.follow(await browser.get(url.href), (u) => !u.startsWith(t.broker.url));
  const signed = await signAs({ browser, step });
  assert.equal(signed.request.userNonVisibleData, TBS);
  const callback = callbackOf(await consentAndReturn(browser, signed.uid));
  const tokens = await oidc.authorizationCodeGrant(signer, callback, { pkceCodeVerifier: p.verifier, expectedState: p.state, expectedNonce: p.nonce });
  assert.ok(tokens.claims()![OIDC_SE.userSignature]);
});

test('a sign request bound to one person hides the text and refuses another person', async () => {
  const auth = await pushedSignRequest({ claims: bindTo(TEST_PERSON) });
  assert.doesNotMatch(auth.step.body, /Hyreskontrakt/, 'the text is not shown before the person is known');
  const signed = await signAs(auth, OTHER);
  assert.equal(signed.request.requirement && (signed.request.requirement as Record<string, unknown>).personalNumber, TEST_PERSON);
  assert.equal(signed.status.state, 'failed');
  assert.equal(signed.status.hintCode, 'certificateErr');
});

test('every rule violation is refused with invalid_request', async () => {
  const jwt = await signedParam(clientKey);
  const atAuthorization: [string, Record<string, string>, RegExp][] = [
    ['prompt without consent', { prompt: 'login', [SIGN_REQUEST]: jwt }, /prompt with both login and consent/],
    ['no prompt', { prompt: '', [SIGN_REQUEST]: jwt }, /prompt with both login and consent/],
    ['sign without signRequest', {}, /is required/],
    ['sign without tbs_data', { [SIGN_REQUEST]: await signedParam(clientKey, signRequest({ tbs_data: undefined })) }, /tbs_data is required/],
    ['signApproval with tbs_data', { scope: `openid ${OIDC_SE.signApproval}`, [SIGN_REQUEST]: jwt }, /tbs_data is not allowed/],
    ['tbs_data not base64', { [SIGN_REQUEST]: await signedParam(clientKey, signRequest({ tbs_data: 'not base64!' })) }, /tbs_data must be base64/],
    ['unsigned signRequest', { [SIGN_REQUEST]: JSON.stringify(signRequest()) }, /must be a JWT signed/],
    ['signRequest signed with another key', { [SIGN_REQUEST]: await signedParam(strangerKey) }, /must be a JWT signed/],
    ['unsecured JWT', { [SIGN_REQUEST]: `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(signRequest())).toString('base64url')}.` }, /must be a JWT signed/],
    ['signRequest without a sign scope', { scope: 'openid', [SIGN_REQUEST]: jwt }, /needs the/],
    ['approval text too long for an identification', { scope: `openid ${OIDC_SE.signApproval}`, [SIGN_REQUEST]: await signedParam(clientKey, { sign_message: { message: b64('x'.repeat(1200)) } }) }, /too long for BankID/],
  ];
  for (const [what, params, described] of atAuthorization) {
    const refused = await refusedAtAuthorization(params);
    assert.equal(refused.get('error'), 'invalid_request', what);
    assert.match(refused.get('error_description')!, described, what);
  }
  // BankID takes at most 40 000 characters of base64 as a signature's text: refused when pushed, no order started.
  // A pushed request from an authenticated client may carry the parameter as JSON (oidc-provider trusts it as a whole).
  const orders = (await t.sim.orders()).length;
  const push = async (request: Record<string, unknown>, params: Record<string, string> = {}) => {
    const p = await pkce();
    return oidc.buildAuthorizationUrlWithPAR(signer, {
      redirect_uri: REDIRECT_URI, scope, prompt: 'login consent', state: p.state, code_challenge: p.challenge, code_challenge_method: 'S256',
      [SIGN_REQUEST]: JSON.stringify(request), ...params,
    });
  };
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
  const browser = new HttpBrowser();
  await login(t, signer, { scope: 'openid' }, browser);
  const silent = await authorize(t, other, { prompt: 'none' }, browser);
  assert.ok(callbackOf(silent.step).searchParams.get('code'), 'an identification is shared in the group');

  // A signature in the same browser neither seeds single sign-on nor lets the earlier session live on.
  const auth = await pushedSignRequest({}, signRequest(), browser);
  const signed = await signAs(auth);
  callbackOf(await consentAndReturn(browser, signed.uid));
  for (const config of [other, signer]) {
    const after = await authorize(t, config, { prompt: 'none' }, browser);
    assert.equal(callbackOf(after.step).searchParams.get('error'), 'login_required');
  }
  // Without prompt=none the partner gets a BankID login of its own.
  interactionUid((await authorize(t, other, {}, browser)).step);
});
