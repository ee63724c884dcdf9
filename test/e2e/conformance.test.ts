/**
 * The Swedish OIDC profile's OP requirements that are not the login itself, from a relying party's side
 * (openid-client over HTTP): required state, unmet acr, signed userinfo, request objects, client authentication,
 * introspection, grants after a code replay, ID token size, userMessage limits. docs/conformance.md maps each
 * requirement to its test.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT } from 'jose';
import * as oidc from 'openid-client';
import { OIDC_SE } from '../../src/oidc/claims.ts';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';
import { HttpBrowser } from '../helpers/http-browser.ts';
import { authorize, bankIdLogin, callbackOf, discover, interactionUid, login, REDIRECT_URI } from '../helpers/rp.ts';

let t: TestBroker;
let rp: oidc.Configuration;
const secret = 'conformance-secret-0123456789abcdef';
const LOA3 = 'http://id.swedenconnect.se/loa/1.0/uncertified-loa3';
const LOA4 = 'http://id.elegnamnden.se/loa/1.0/loa4';
const client = (clientId: string, extra: Record<string, unknown> = {}) => t.broker.clients.save({
  client_id: clientId, client_secret: secret, client_name: clientId, redirect_uris: [REDIRECT_URI], brygga_first_party: true,
  scope: `openid profile bankid ${OIDC_SE.naturalPersonNumber}`, ...extra,
});

before(async () => {
  t = await startTestBroker();
  await client('conf-rp');
  rp = await discover(t, 'conf-rp', oidc.ClientSecretBasic(secret));
});
after(async () => { await t?.close(); });

const errorOf = (step: { location?: string }) => Object.fromEntries(new URL(step.location!).searchParams);

test('discovery names the signing algorithms the profile requires and keys with a kid', async () => {
  const meta = rp.serverMetadata();
  for (const algs of [meta.token_endpoint_auth_signing_alg_values_supported, meta.id_token_signing_alg_values_supported, meta.userinfo_signing_alg_values_supported]) {
    assert.ok(algs?.includes('RS256') && algs.includes('ES256') && !algs.includes('none'), JSON.stringify(algs));
  }
  assert.ok(meta.userinfo_endpoint && meta.token_endpoint && meta.end_session_endpoint);
  assert.equal(meta.backchannel_logout_supported, true);
  const { keys } = await (await fetch(meta.jwks_uri!)).json() as { keys: { kid?: string }[] };
  assert.ok(keys.length > 0 && keys.every((k) => typeof k.kid === 'string' && k.kid.length > 0));
});

test('a request without state is refused with invalid_request', async () => {
  const url = oidc.buildAuthorizationUrl(rp, { redirect_uri: REDIRECT_URI, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
  const step = await new HttpBrowser().get(url.href);
  assert.equal(step.status, 303);
  assert.ok(step.location?.startsWith(REDIRECT_URI));
  const { error, error_description: description } = errorOf(step);
  assert.equal(error, 'invalid_request');
  assert.match(description!, /state/);
});

test('an acr the broker cannot assert is refused before any BankID order; one it can is served', async () => {
  const ordersBefore = (await t.sim.orders()).length;
  const requests: Record<string, string>[] = [{ acr_values: LOA4 }, { claims: JSON.stringify({ id_token: { acr: { essential: true, value: LOA4 } } }) }];
  for (const params of requests) {
    const { step } = await authorize(t, rp, params);
    const { error, error_description: description } = errorOf(step);
    assert.equal(error, 'unmet_authentication_requirements', JSON.stringify(params));
    assert.match(description!, /loa4/);
  }
  assert.equal((await t.sim.orders()).length, ordersBefore);
  // One acceptable value among others is enough.
  const { step } = await authorize(t, rp, { acr_values: `${LOA4} ${LOA3}` });
  interactionUid(step);
});

test('userinfo responses are signed, with the client\'s own algorithm when it registered one', async () => {
  assert.deepEqual([...rp.serverMetadata().userinfo_signing_alg_values_supported ?? []].sort(), ['ES256', 'RS256']);
  await client('conf-es256', { userinfo_signed_response_alg: 'ES256' });
  for (const [clientId, alg] of [['conf-rp', 'RS256'], ['conf-es256', 'ES256']] as const) {
    const config = await discover(t, clientId, oidc.ClientSecretBasic(secret), { userinfo_signed_response_alg: alg });
    oidc.enableNonRepudiationChecks(config); // openid-client then verifies the signature against the broker's JWKS
    const { tokens } = await login(t, config, { scope: `openid ${OIDC_SE.naturalPersonNumber}` });
    const sub = tokens.claims()!.sub;
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, sub);
    assert.equal(userinfo[OIDC_SE.personalIdentityNumber], '199908072391');
    const raw = await fetch(config.serverMetadata().userinfo_endpoint!, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.match(raw.headers.get('content-type')!, /^application\/jwt/);
    const jwt = await raw.text();
    assert.equal(decodeProtectedHeader(jwt).alg, alg);
    assert.equal(decodeJwt(jwt).aud, clientId);
  }
});

test('signed request objects and private_key_jwt assertions addressed to the issuer or the token endpoint are accepted', async () => {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'conf-jar-1', alg: 'ES256', use: 'sig' };
  await client('conf-jar', { token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256', jwks: { keys: [jwk] }, request_object_signing_alg: 'ES256', client_secret: undefined });
  const meta = rp.serverMetadata();
  for (const aud of [meta.issuer, meta.token_endpoint!]) {
    const config = await discover(t, 'conf-jar', oidc.PrivateKeyJwt({ key: privateKey, kid: 'conf-jar-1' }, {
      [oidc.modifyAssertion]: (_header: Record<string, unknown>, payload: Record<string, unknown>) => { payload.aud = aud; },
    }));
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const request = await new SignJWT({
      client_id: 'conf-jar', response_type: 'code', redirect_uri: REDIRECT_URI, scope: `openid ${OIDC_SE.naturalPersonNumber}`, state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    }).setProtectedHeader({ alg: 'ES256', kid: 'conf-jar-1', typ: 'oauth-authz-req+jwt' }).setIssuer('conf-jar').setAudience(aud).setIssuedAt().setExpirationTime('2m').sign(privateKey);
    const browser = new HttpBrowser();
    const page = await browser.follow(await browser.get(`${meta.authorization_endpoint}?${new URLSearchParams({ client_id: 'conf-jar', request })}`));
    const callback = callbackOf(await bankIdLogin(t, { browser, step: page }));
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    assert.equal(tokens.claims()![OIDC_SE.personalIdentityNumber], '199908072391', `aud ${aud}`);
  }
  // Any other audience is not this provider's request object.
  const foreign = await new SignJWT({ client_id: 'conf-jar', response_type: 'code', redirect_uri: REDIRECT_URI, scope: 'openid', state: 's' })
    .setProtectedHeader({ alg: 'ES256', kid: 'conf-jar-1' }).setIssuer('conf-jar').setAudience(meta.authorization_endpoint!).setIssuedAt().setExpirationTime('2m').sign(privateKey);
  const refused = await fetch(`${meta.authorization_endpoint}?${new URLSearchParams({ client_id: 'conf-jar', request: foreign })}`, { redirect: 'manual' });
  assert.equal(refused.status, 303);
  assert.equal(new URL(refused.headers.get('location')!).searchParams.get('error'), 'invalid_request_object');
});

test('a client authenticates only with the secret method it registered', async () => {
  await client('conf-post', { token_endpoint_auth_method: 'client_secret_post' });
  const basic = (clientId: string) => ({ headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` }, body: {} });
  const post = (clientId: string) => ({ headers: {}, body: { client_id: clientId, client_secret: secret } });
  const cases = [
    { clientId: 'conf-rp', registered: oidc.ClientSecretBasic(secret), other: post },
    { clientId: 'conf-post', registered: oidc.ClientSecretPost(secret), other: basic },
  ];
  for (const { clientId, registered, other } of cases) {
    const config = await discover(t, clientId, registered);
    const auth = await authorize(t, config);
    const callback = callbackOf(await bankIdLogin(t, auth));
    const { headers, body } = other(clientId);
    const refused = await fetch(config.serverMetadata().token_endpoint!, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...body, grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: REDIRECT_URI, code_verifier: auth.verifier }),
    });
    assert.equal(refused.status, 401, clientId);
    assert.equal((await refused.json() as { error: string }).error, 'invalid_client');
    // The refused attempt did not use up the code.
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce });
    assert.ok(tokens.access_token);
  }
});

test('introspection answers a token\'s own client and a client allowed to introspect, no other', async () => {
  await client('conf-other');
  await client('conf-resource-server', { brygga_may_introspect: true });
  const { tokens } = await login(t, rp);
  assert.equal(tokens.access_token.split('.').length, 1, 'access tokens from a login are opaque');
  const introspect = async (clientId: string) => oidc.tokenIntrospection(await discover(t, clientId, oidc.ClientSecretBasic(secret)), tokens.access_token);
  assert.equal((await introspect('conf-rp')).active, true);
  assert.deepEqual(await introspect('conf-other'), { active: false });
  const seen = await introspect('conf-resource-server');
  assert.equal(seen.active, true);
  assert.equal(seen.client_id, 'conf-rp');
});

test('after a code replay revoked the grant, a first-party client gets a new one without a consent page', async () => {
  const browser = new HttpBrowser();
  const first = await login(t, rp, {}, browser);
  await assert.rejects(oidc.authorizationCodeGrant(rp, first.callback, { pkceCodeVerifier: first.auth.verifier, expectedState: first.auth.state, expectedNonce: first.auth.nonce }));
  await assert.rejects(oidc.fetchUserInfo(rp, first.tokens.access_token, first.tokens.claims()!.sub), 'the replay revoked the tokens');
  const again = await login(t, rp, {}, browser);
  assert.equal(again.tokens.claims()!.sub, first.tokens.claims()!.sub);
});

test('a bankid-scope ID token stays small: authnEvidence only when the claims parameter asks for it there', async () => {
  const { tokens } = await login(t, rp, { scope: `openid bankid ${OIDC_SE.naturalPersonNumber}` });
  const idToken = tokens.id_token!;
  assert.ok(idToken.length < 1500, `ID token of ${idToken.length} bytes`);
  const claims = tokens.claims()!;
  assert.equal(claims[OIDC_SE.authnEvidence], undefined);
  assert.equal(typeof claims[OIDC_SE.deviceIp], 'string', 'the small bankid claims stay in the ID token');
  assert.match(String(claims.txn), /^[0-9a-f-]{36}$/);
  const userinfo = await oidc.fetchUserInfo(rp, tokens.access_token, claims.sub);
  assert.ok(String(userinfo[OIDC_SE.authnEvidence]).length > 1000, 'userinfo carries the evidence of the bankid scope');

  const asked = await login(t, rp, { scope: 'openid', claims: JSON.stringify({ id_token: { [OIDC_SE.authnEvidence]: null } }) });
  const evidence = asked.tokens.claims()![OIDC_SE.authnEvidence];
  assert.ok(typeof evidence === 'string' && evidence.length > 1000);
});

test('a userMessage BankID cannot show is refused with invalid_request', async () => {
  const encode = (text: string | Buffer) => Buffer.from(text).toString('base64');
  const cases = [
    { message: encode('å'.repeat(600)), because: /too long for BankID/ }, // 1 200 bytes: 1 600 characters of base64
    { message: encode(Buffer.from([0xc3, 0x28])), because: /UTF-8/ },
  ];
  for (const { message, because } of cases) {
    const { step } = await authorize(t, rp, { 'https://id.oidc.se/param/userMessage': JSON.stringify({ message }) });
    const { error, error_description: description } = errorOf(step);
    assert.equal(error, 'invalid_request');
    assert.match(description!, because);
  }
  const { step } = await authorize(t, rp, { 'https://id.oidc.se/param/userMessage': JSON.stringify({ message: encode('å'.repeat(500)) }) });
  interactionUid(step);
});
