/**
 * A relying party (openid-client) logs in through the broker, with the interaction driven over HTTP and the
 * order approved through the simulator's control API over the real mTLS BankID path.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import { OIDC_SE } from '../../src/oidc/claims.ts';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';
import { field, HttpBrowser, type Step } from '../helpers/http-browser.ts';

let t: TestBroker;
let clockOffsetMs = 0; // the simulator's clock: moved forward to expire an order without waiting
let issuer: string;
const redirectUri = 'https://rp.example/callback';
const secret = 'rp-secret-0123456789abcdefghijklmnop';
let rp: oidc.Configuration;
let thirdParty: oidc.Configuration;

before(async () => {
  t = await startTestBroker({}, { now: () => Date.now() + clockOffsetMs });
  issuer = t.broker.url;
  await t.broker.clients.save({
    client_id: 'e2e-rp', client_secret: secret, client_name: 'Testkommunen', redirect_uris: [redirectUri],
    post_logout_redirect_uris: ['https://rp.example/bye'], brygga_first_party: true,
    scope: `openid profile bankid ${OIDC_SE.naturalPersonNumber} ${OIDC_SE.naturalPersonInfo}`,
  });
  await t.broker.clients.save({
    client_id: 'e2e-third', client_secret: secret, client_name: 'Third party', redirect_uris: [redirectUri],
    token_endpoint_auth_method: 'client_secret_post', scope: 'openid profile',
  });
  const insecure = { execute: [oidc.allowInsecureRequests] };
  rp = await oidc.discovery(new URL(issuer), 'e2e-rp', undefined, oidc.ClientSecretBasic(secret), insecure);
  thirdParty = await oidc.discovery(new URL(issuer), 'e2e-third', undefined, oidc.ClientSecretPost(secret), insecure);
});
after(async () => { await t?.close(); });

interface Login { browser: HttpBrowser; page: Step; uid: string; verifier: string; state: string; nonce: string; config: oidc.Configuration; lang?: string }

async function beginLogin(config: oidc.Configuration = rp, scope = `openid profile bankid ${OIDC_SE.naturalPersonNumber}`, extra: Record<string, string> = {}): Promise<Login> {
  const browser = new HttpBrowser();
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri, scope, state, nonce, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra,
  });
  const page = await browser.follow(await browser.get(url.href));
  assert.equal(page.status, 200, page.body);
  const uid = /\/interaction\/([\w-]+)/.exec(page.url)![1]!;
  return { browser, page, uid, verifier, state, nonce, config, lang: extra.ui_locales };
}

async function startOrder(login: Login, method: 'qr' | 'same_device'): Promise<Step> {
  const started = await login.browser.post(`${issuer}/interaction/${login.uid}/start`, { csrf: field(login.page.body, 'csrf'), method });
  assert.equal(started.status, 303, started.body);
  return login.browser.follow(started);
}

async function status(login: Login): Promise<Record<string, unknown>> {
  // As the page's script does: the status URL carries the page's language.
  const step = await login.browser.get(`${issuer}/interaction/${login.uid}/status${login.lang ? `?lang=${login.lang}` : ''}`, { accept: 'application/json' });
  assert.equal(step.status, 200, step.body);
  return JSON.parse(step.body) as Record<string, unknown>;
}

/** Polls status (bounded) until it leaves `pending` or matches. */
async function waitFor(login: Login, done: (s: Record<string, unknown>) => boolean, attempts = 30): Promise<Record<string, unknown>> {
  for (let i = 0; i < attempts; i++) {
    const s = await status(login);
    if (done(s)) return s;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('status did not change in time');
}

/** From a completed order to the redirect back to the client. */
async function finish(login: Login): Promise<URL> {
  const step = await login.browser.follow(await login.browser.get(`${issuer}/interaction/${login.uid}`), (u) => u.startsWith(redirectUri));
  assert.ok(step.location?.startsWith(redirectUri), `expected a redirect to the client, got ${step.status} ${step.location} ${step.body.slice(0, 300)}`);
  return new URL(step.location!);
}

async function qrLogin(personalNumber = '199908072391', config: oidc.Configuration = rp) {
  const login = await beginLogin(config);
  const pending = await startOrder(login, 'qr');
  assert.match(pending.body, /<noscript><img src="\/interaction\/[\w-]+\/qr\.svg\?qr=bankid\./);
  const { qr } = await status(login);
  assert.match(String(qr), /^bankid\.[0-9a-f-]{36}\.\d+\.[0-9a-f]{64}$/);
  const scanned = await t.sim.post('/sim/app/scan', { qr });
  assert.equal(scanned.status, 200, JSON.stringify(scanned.json));
  const order = await t.sim.latestOrder();
  const approved = await t.sim.post(`/sim/orders/${String(order.orderRef)}/approve`, { personalNumber, givenName: 'TOLVAN', surname: 'TOLVANSSON' });
  assert.equal(approved.status, 200, JSON.stringify(approved.json));
  await waitFor(login, (s) => s.state === 'complete');
  return { login, callback: await finish(login), orderRef: String(order.orderRef) };
}

test('discovery advertises the Swedish profile essentials', async () => {
  const meta = rp.serverMetadata();
  assert.deepEqual(meta.response_types_supported, ['code']);
  assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
  assert.ok(meta.token_endpoint_auth_methods_supported?.includes('private_key_jwt'));
  assert.ok(!meta.token_endpoint_auth_methods_supported?.includes('none'));
  assert.equal(meta.claims_parameter_supported, true);
  assert.equal(meta.request_parameter_supported, true);
  assert.ok(meta.scopes_supported?.includes(OIDC_SE.naturalPersonNumber));
  assert.ok(meta.claims_supported?.includes(OIDC_SE.personalIdentityNumber));
  // ACR first; then what a tenant's policy may choose for its clients (a request for it is refused for the others).
  // An uncertified deployment advertises only what it may assert (ACR_SUPPORTED adds loa3 for an audited one).
  assert.deepEqual(meta.acr_values_supported, ['http://id.swedenconnect.se/loa/1.0/uncertified-loa3']);
  assert.ok(meta.subject_types_supported?.includes('pairwise'));
  assert.deepEqual(meta.ui_locales_supported, ['sv', 'en']);
  assert.equal(meta.pushed_authorization_request_endpoint, `${issuer}/request`);
  assert.ok(meta.end_session_endpoint && meta.revocation_endpoint && meta.introspection_endpoint);
  const jwks = await (await fetch(meta.jwks_uri!)).json() as { keys: { alg: string; d?: string }[] };
  assert.deepEqual(jwks.keys.map((k) => k.alg).sort(), ['ES256', 'RS256']);
  assert.ok(jwks.keys.every((k) => k.d === undefined), 'no private key material in the JWKS');
});

test('QR login end to end: code with PKCE, ID token, userinfo, logout', async () => {
  const { login, callback, orderRef } = await qrLogin();
  const tokens = await oidc.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: login.verifier, expectedState: login.state, expectedNonce: login.nonce });
  const claims = tokens.claims()!;
  assert.notEqual(claims.sub, '199908072391');
  assert.ok(!String(claims.sub).includes('199908072391'));
  assert.equal(claims[OIDC_SE.personalIdentityNumber], '199908072391');
  assert.equal(claims.name, 'Tolvan Tolvansson');
  assert.equal(claims.acr, 'http://id.swedenconnect.se/loa/1.0/uncertified-loa3');
  assert.ok(typeof claims.auth_time === 'number');
  assert.deepEqual(claims.amr, ['mfa']);
  assert.equal(tokens.refresh_token, undefined, 'no refresh tokens unless an admin enables them for the client');
  assert.equal(claims.txn, orderRef);
  assert.ok(claims.exp - claims.iat <= 300, 'ID tokens live at most 5 minutes');
  const userinfo = await oidc.fetchUserInfo(rp, tokens.access_token, claims.sub);
  assert.equal(userinfo.family_name, 'Tolvansson');
  assert.equal(userinfo[OIDC_SE.personalIdentityNumber], '199908072391');
  assert.ok(typeof userinfo[OIDC_SE.authnEvidence] === 'string' && String(userinfo[OIDC_SE.authnEvidence]).length > 100);

  assert.ok(login.browser.cookie('_session'), 'a session cookie was set');

  const logout = await login.browser.get(oidc.buildEndSessionUrl(rp, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://rp.example/bye' }).href);
  assert.equal(logout.status, 200);
  const confirmed = await login.browser.post(`${issuer}/session/end/confirm`, { xsrf: field(logout.body, 'xsrf'), logout: 'yes' });
  assert.equal(confirmed.status, 303);
  assert.ok(confirmed.location?.startsWith('https://rp.example/bye'));
  // Session-bound tokens die with the session.
  await assert.rejects(oidc.fetchUserInfo(rp, tokens.access_token, claims.sub));
});

test('the session cookie carries no expiry (BankID forbids staying signed in across browser restarts)', async () => {
  const login = await beginLogin();
  await startOrder(login, 'qr');
  const { qr } = await status(login);
  await t.sim.post('/sim/app/scan', { qr });
  await t.sim.post(`/sim/orders/${String((await t.sim.latestOrder()).orderRef)}/approve`, {});
  await waitFor(login, (s) => s.state === 'complete');
  let step = await login.browser.get(`${issuer}/interaction/${login.uid}`);
  const headers: string[] = [];
  for (let i = 0; i < 5 && step.location && !step.location.startsWith(redirectUri); i++) {
    step = await login.browser.get(step.location);
    headers.push(...step.headers.getSetCookie());
  }
  const session = headers.find((h) => h.startsWith('_session='));
  assert.ok(session, `no _session cookie in ${headers.join(' | ')}`);
  assert.doesNotMatch(session, /expires=|max-age=/i);
});

test('consent page for a client that is not first-party, then a pairwise-free public sub', async () => {
  const login = await beginLogin(thirdParty, 'openid profile');
  await startOrder(login, 'qr');
  const { qr } = await status(login);
  await t.sim.post('/sim/app/scan', { qr });
  await t.sim.post(`/sim/orders/${String((await t.sim.latestOrder()).orderRef)}/approve`, {});
  await waitFor(login, (s) => s.state === 'complete');
  const consent = await login.browser.follow(await login.browser.get(`${issuer}/interaction/${login.uid}`), (u) => u.startsWith(redirectUri));
  assert.equal(consent.status, 200);
  assert.match(consent.body, /Third party/);
  const newUid = /\/interaction\/([\w-]+)/.exec(consent.url)![1]!;
  const allowed = await login.browser.post(`${issuer}/interaction/${newUid}/consent`, { csrf: field(consent.body, 'csrf') });
  const back = await login.browser.follow(allowed, (u) => u.startsWith(redirectUri));
  assert.ok(back.location?.startsWith(redirectUri));
  const tokens = await oidc.authorizationCodeGrant(thirdParty, new URL(back.location!), { pkceCodeVerifier: login.verifier, expectedState: login.state, expectedNonce: login.nonce });
  assert.equal(tokens.claims()!.name, 'Tolvan Tolvansson');
});

test('a replayed code is refused and the tokens it gave are revoked', async () => {
  const { login, callback } = await qrLogin('200001012384');
  const tokens = await oidc.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: login.verifier, expectedState: login.state, expectedNonce: login.nonce });
  await assert.rejects(
    oidc.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: login.verifier, expectedState: login.state, expectedNonce: login.nonce }),
    (err: { error?: string }) => err.error === 'invalid_grant',
  );
  await assert.rejects(oidc.fetchUserInfo(rp, tokens.access_token, tokens.claims()!.sub));
});

test('a wrong redirect_uri gets an error page, not a redirect', async () => {
  const browser = new HttpBrowser();
  const url = oidc.buildAuthorizationUrl(rp, { redirect_uri: 'https://evil.example/cb', scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256', state: 's' });
  const step = await browser.get(url.href);
  assert.equal(step.status, 400);
  assert.equal(step.location, undefined);
  assert.match(step.body, /redirect_uri/);
  assert.match(step.body, /<html lang="sv">/);
});

test('an authorization request without PKCE is refused with invalid_request', async () => {
  const browser = new HttpBrowser();
  const url = oidc.buildAuthorizationUrl(rp, { redirect_uri: redirectUri, scope: 'openid', state: 's1' });
  const step = await browser.get(url.href);
  assert.equal(step.status, 303);
  const back = new URL(step.location!);
  assert.equal(back.searchParams.get('error'), 'invalid_request');
  assert.match(back.searchParams.get('error_description') ?? '', /PKCE/);
});

test('the user cancels: the order is cancelled at BankID and the client gets access_denied', async () => {
  const login = await beginLogin();
  const pending = await startOrder(login, 'qr');
  const order = await t.broker.database.db.selectFrom('bankid_orders').select(['id', 'order_ref']).where('interaction_id', '=', login.uid).executeTakeFirstOrThrow();
  assert.equal((await t.sim.order(order.order_ref))?.status, 'pending');
  const cancelled = await login.browser.post(`${issuer}/interaction/${login.uid}/abort`, { csrf: field(pending.body, 'csrf') });
  const back = await login.browser.follow(cancelled, (u) => u.startsWith(redirectUri));
  const params = new URL(back.location!).searchParams;
  assert.equal(params.get('error'), 'access_denied');
  assert.equal(params.get('state'), login.state);
  const row = await t.broker.database.db.selectFrom('bankid_orders').select('status').where('id', '=', order.id).executeTakeFirstOrThrow();
  assert.equal(row.status, 'cancelled');
  // The simulator forgets an order the RP cancelled, as BankID does (a later collect or cancel is invalidParameters).
  assert.equal(await t.sim.order(order.order_ref), undefined, 'the order no longer dangles at BankID');
});

test('the user cancels in the app: the page says so and offers to try again', async () => {
  const login = await beginLogin(rp, 'openid', { ui_locales: 'en' });
  await startOrder(login, 'qr');
  await t.sim.post(`/sim/orders/${String((await t.sim.latestOrder()).orderRef)}/cancel`);
  const s = await waitFor(login, (x) => x.state === 'failed');
  assert.equal(s.hintCode, 'userCancel');
  assert.equal(s.message, 'The action was cancelled.');
  const page = await login.browser.get(`${issuer}/interaction/${login.uid}`);
  assert.match(page.body, /Try again/);
});

test('an expired order shows RFA8 and a new attempt works', async () => {
  const login = await beginLogin(rp, 'openid', { ui_locales: 'sv' });
  await startOrder(login, 'qr');
  const order = await t.sim.latestOrder();
  await t.sim.post('/sim/app/scan', { qr: (await status(login)).qr });
  assert.ok(order.orderRef);
  clockOffsetMs += 200 * 1000; // past the order's 180 s life, within BankID's 5-minute window to collect a failure
  const s = await waitFor(login, (x) => x.state === 'failed');
  assert.equal(s.hintCode, 'expiredTransaction');
  assert.match(String(s.message), /^BankID-appen svarar inte/);
  const page = await login.browser.get(`${issuer}/interaction/${login.uid}`);
  const retried = await login.browser.follow(await login.browser.post(`${issuer}/interaction/${login.uid}/start`, { csrf: field(page.body, 'csrf'), method: 'qr' }));
  assert.equal(retried.status, 200);
  assert.equal((await status(login)).state, 'pending');
});

test('BankID maintenance during collect: retried quietly, and RFA5 once it persists', async () => {
  const login = await beginLogin(rp, 'openid', { ui_locales: 'en' });
  await startOrder(login, 'qr');
  await t.sim.post('/sim/app/scan', { qr: (await status(login)).qr });
  await t.sim.post(`/sim/orders/${String((await t.sim.latestOrder()).orderRef)}/approve`, {});
  // One 503: the client retries by itself and the login goes on.
  await t.sim.post('/sim/faults', { endpoint: 'collect', status: 503, errorCode: 'maintenance', times: 1 });
  await waitFor(login, (s) => s.state === 'complete');

  const second = await beginLogin(rp, 'openid', { ui_locales: 'en' });
  await startOrder(second, 'qr');
  await t.sim.post('/sim/faults', { endpoint: 'collect', status: 503, errorCode: 'maintenance', times: 50 });
  const s = await waitFor(second, (x) => x.state === 'failed', 60); // three collects, one per 2 s interval
  await t.sim.clearFaults();
  assert.equal(s.errorCode, 'maintenance');
  assert.equal(s.message, 'Something went wrong. Please try again');
  assert.equal(s.qr, undefined);
});

test('same device: the return URL with the right nonce continues, a wrong one ends the attempt', async () => {
  const login = await beginLogin();
  const pending = await startOrder(login, 'same_device');
  const link = /id="launch"[^>]*href="([^"]+)"|href="([^"]+)"[^>]*id="launch"/.exec(pending.body);
  assert.ok(link, 'the page has a start-the-app link');
  const href = (link[1] ?? link[2])!.replace(/&amp;/g, '&');
  const token = new URL(href.replace('bankid:///', 'https://app.bankid.com/')).searchParams.get('autostarttoken');
  assert.ok(token);
  const opened = await t.sim.post('/sim/app/open', { autoStartToken: token });
  assert.equal(opened.status, 200, JSON.stringify(opened.json));
  const returnUrl = String(opened.json.returnUrl ?? (await t.sim.latestOrder()).returnUrl);
  assert.ok(returnUrl.startsWith(`${issuer}/interaction/${login.uid}/return?nonce=`), returnUrl);
  await t.sim.post(`/sim/orders/${String((await t.sim.latestOrder()).orderRef)}/approve`, {});

  // Another browser with the return link is stopped.
  const stranger = new HttpBrowser();
  const refused = await stranger.get(returnUrl);
  assert.equal(refused.status, 400);

  const back = await login.browser.get(returnUrl);
  assert.equal(back.status, 303);
  await waitFor(login, (s) => s.state === 'complete');
  const callback = await finish(login);
  const tokens = await oidc.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: login.verifier, expectedState: login.state, expectedNonce: login.nonce });
  assert.equal(tokens.claims()![OIDC_SE.personalIdentityNumber], '199908072391');

  const tampered = await beginLogin();
  await startOrder(tampered, 'same_device');
  const wrong = await tampered.browser.get(`${issuer}/interaction/${tampered.uid}/return?nonce=wrong`);
  assert.equal(wrong.status, 400);
  assert.equal((await status(tampered)).state, 'failed');
});

test('every order carries the risk data: real end-user IP, web device data, returnRisk', async () => {
  const login = await beginLogin();
  await startOrder(login, 'qr');
  const order = await t.sim.latestOrder();
  const request = (order.request ?? order) as Record<string, unknown>;
  assert.equal(request.endUserIp, '127.0.0.1');
  assert.equal(request.returnRisk, true);
  const web = request.web as Record<string, string>;
  assert.equal(web.referringDomain, 'localhost');
  assert.equal(web.userAgent, login.browser.userAgent);
  assert.match(web.deviceIdentifier, /^[0-9a-f]{64}$/);
});

test('POSTs without the CSRF token are refused with a readable page', async () => {
  const login = await beginLogin();
  const step = await login.browser.post(`${issuer}/interaction/${login.uid}/start`, { method: 'qr' });
  assert.equal(step.status, 403);
  assert.match(step.body, /Begäran kunde inte kontrolleras/);
});

test('a forged Host header cannot poison discovery', async () => {
  const { port } = new URL(issuer);
  const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/.well-known/openid-configuration', headers: { host: 'evil.example' } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
  assert.equal(answer.status, 421);
  assert.doesNotMatch(answer.body, /evil\.example\/auth/);
  assert.match(answer.body, /ALLOWED_HOSTS/);
});

test('private_key_jwt, the claims parameter and a pairwise sub', async () => {
  const { generateKeyPair, exportJWK } = await import('jose');
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'rp-key-1', alg: 'ES256', use: 'sig' };
  await t.broker.clients.save({
    client_id: 'e2e-jwt', client_name: 'JWT client', redirect_uris: [redirectUri], brygga_first_party: true,
    token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256', jwks: { keys: [jwk] },
    subject_type: 'pairwise', scope: `openid ${OIDC_SE.naturalPersonNumber}`,
  });
  const config = await oidc.discovery(new URL(issuer), 'e2e-jwt', undefined, oidc.PrivateKeyJwt({ key: privateKey, kid: 'rp-key-1' }), { execute: [oidc.allowInsecureRequests] });
  // Only `openid` as scope: the personal number comes because the claims parameter asks for it.
  const login = await beginLogin(config, 'openid', { claims: JSON.stringify({ id_token: { [OIDC_SE.personalIdentityNumber]: { essential: true } } }) });
  await startOrder(login, 'qr');
  await t.sim.post('/sim/app/scan', { qr: (await status(login)).qr });
  await t.sim.post(`/sim/orders/${String((await t.sim.latestOrder()).orderRef)}/approve`, {});
  await waitFor(login, (s) => s.state === 'complete');
  const tokens = await oidc.authorizationCodeGrant(config, await finish(login), { pkceCodeVerifier: login.verifier, expectedState: login.state, expectedNonce: login.nonce });
  const claims = tokens.claims()!;
  assert.equal(claims[OIDC_SE.personalIdentityNumber], '199908072391');
  assert.equal(claims.name, undefined, 'nothing that was not asked for');

  // The same person through the public-sub client has another sub.
  const { login: other, callback } = await qrLogin();
  const publicTokens = await oidc.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: other.verifier, expectedState: other.state, expectedNonce: other.nonce });
  assert.notEqual(claims.sub, publicTokens.claims()!.sub);
});

test('introspection and revocation for resource servers', async () => {
  const { login, callback } = await qrLogin();
  const tokens = await oidc.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: login.verifier, expectedState: login.state, expectedNonce: login.nonce });
  const active = await oidc.tokenIntrospection(rp, tokens.access_token);
  assert.equal(active.active, true);
  assert.equal(active.client_id, 'e2e-rp');
  await oidc.tokenRevocation(rp, tokens.access_token);
  assert.equal((await oidc.tokenIntrospection(rp, tokens.access_token)).active, false);
});

test('a bad userMessage parameter is an OIDC error to the client; a good one reaches the BankID app', async () => {
  const browser = new HttpBrowser();
  const challenge = await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier());
  const bad = oidc.buildAuthorizationUrl(rp, { redirect_uri: redirectUri, scope: 'openid', state: 's2', code_challenge: challenge, code_challenge_method: 'S256', 'https://id.oidc.se/param/userMessage': '{"message":"***"}' });
  const refused = new URL((await browser.get(bad.href)).location!);
  assert.equal(refused.searchParams.get('error'), 'invalid_request');
  assert.match(refused.searchParams.get('error_description') ?? '', /base64/);

  const message = JSON.stringify({ message: Buffer.from('Logga in till *Testkommunen*').toString('base64'), mime_type: 'text/markdown' });
  const login = await beginLogin(rp, 'openid', { 'https://id.oidc.se/param/userMessage': message });
  await startOrder(login, 'qr');
  const order = await t.sim.latestOrder();
  assert.equal(order.userVisibleData, 'Logga in till *Testkommunen*');
  assert.equal((order.request as Record<string, unknown>).userVisibleDataFormat, 'simpleMarkdownV1');
});
