/**
 * Fuzzes every endpoint's parameters against a running broker: no input gives a 5xx, and every error is well formed
 * (see assertWellFormed). Fixed seed and bounded runs (FUZZ): the same requests every time, in well under a minute.
 */
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { USER_MESSAGE_PARAM } from '../../src/oidc/user-message.ts';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';
import { field } from '../helpers/http-browser.ts';
import { applyMutations, assertWellFormed, encodedValue, FUZZ, jsonClaims, mutations, percentEncode, seen, text, type Expect, type Mutation } from './arbitraries.ts';

let t: TestBroker;
let issuer: string;
let signingKey: CryptoKey;
const redirectUri = 'https://rp.example/cb';
const secret = 'fuzz-secret-0123456789abcdefghijklmnop';
const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

before(async () => {
  t = await startTestBroker();
  issuer = t.broker.url;
  const keys = await generateKeyPair('ES256', { extractable: true });
  signingKey = keys.privateKey;
  const scope = 'openid profile offline_access';
  const grants = ['authorization_code', 'refresh_token'];
  await t.broker.clients.save({ client_id: 'fz-basic', client_secret: secret, redirect_uris: [redirectUri], post_logout_redirect_uris: [redirectUri], scope, grant_types: grants });
  await t.broker.clients.save({ client_id: 'fz-post', client_secret: secret, redirect_uris: [redirectUri], scope, grant_types: grants, token_endpoint_auth_method: 'client_secret_post' });
  await t.broker.clients.save({
    client_id: 'fz-jwt', redirect_uris: [redirectUri], scope, grant_types: grants, token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'ES256', jwks: { keys: [{ ...(await exportJWK(keys.publicKey)), kid: 'fz', alg: 'ES256', use: 'sig' }] },
  });
});
after(async (context) => {
  // What the runs reached, per endpoint: statuses and how often.
  if ('diagnostic' in context) for (const [label, counts] of seen) context.diagnostic(`${label}: ${[...counts].map(([s, n]) => `${s}×${n}`).join(' ')}`);
  await t?.close();
});

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Client authentication, right or wrong, in each way the token-side endpoints take it. */
interface ClientAuth {
  headers: Record<string, string>;
  /** Valid fields, encoded with the rest of the body. */
  fields: Record<string, string>;
  /** Already encoded fields, appended as they are. */
  raw?: string;
  assertion?: { claims: Record<string, unknown>; signed: boolean };
}
const basic = (id: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${id}:${password}`).toString('base64')}` });
const clientAuth: fc.Arbitrary<ClientAuth> = fc.oneof(
  fc.constant({ headers: basic('fz-basic', secret), fields: {} }),
  fc.constant({ headers: {}, fields: { client_id: 'fz-post', client_secret: secret } }),
  // Basic with hostile id and secret: form-encoded, then base64 (RFC 6749 §2.3.1), so they arrive decoded as given.
  fc.tuple(encodedValue, encodedValue).map(([id, password]) => ({ headers: basic(id, password), fields: {} })),
  fc.tuple(encodedValue, encodedValue).map(([id, password]) => ({ headers: {}, fields: {}, raw: `client_id=${id}&client_secret=${password}` })),
  // A client assertion: signed with the registered key but with hostile claims, or unsigned.
  fc.tuple(jsonClaims({ iss: 'fz-jwt', sub: 'fz-jwt', aud: 'token', jti: 'j', exp: 4_000_000_000 }), fc.boolean())
    .map(([claims, signed]) => ({ headers: {}, fields: {}, assertion: { claims, signed } })),
  fc.constant({ headers: {}, fields: {} }),
);

async function assertion(claims: Record<string, unknown>, signed: boolean): Promise<string> {
  const payload = { ...claims, aud: claims.aud === 'token' ? `${issuer}/token` : claims.aud };
  const unsigned = `${b64({ alg: 'ES256', kid: 'fz' })}.${b64(payload)}.c2ln`;
  // jose refuses some claim types itself; those go out unsigned, which the broker must refuse just as well.
  return signed ? new SignJWT(payload as JWTPayload).setProtectedHeader({ alg: 'ES256', kid: 'fz' }).sign(signingKey).catch(() => unsigned) : unsigned;
}

/** Sends a request to the broker and checks the answer. */
async function send(label: string, expect: Expect, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  const response = await fetch(`${issuer}${path}`, {
    method: init.method ?? 'GET',
    redirect: 'manual',
    headers: {
      accept: expect === 'page' ? 'text/html' : 'application/json',
      ...(init.body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      ...init.headers,
    },
    body: init.body,
  });
  await assertWellFormed(label, response, expect);
}

/** A form body from valid fields, client authentication and mutations. */
async function authenticatedBody(base: Record<string, string>, auth: ClientAuth, changes: Mutation[]): Promise<string> {
  const fields = { ...base, ...auth.fields };
  if (auth.assertion) {
    fields.client_assertion_type = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
    fields.client_assertion = await assertion(auth.assertion.claims, auth.assertion.signed);
  }
  return [applyMutations(fields, changes), auth.raw].filter(Boolean).join('&');
}

const AUTH_PARAMS = ['client_id', 'response_type', 'scope', 'redirect_uri', 'state', 'nonce', 'code_challenge', 'code_challenge_method',
  'prompt', 'max_age', 'ui_locales', 'login_hint', 'acr_values', 'claims', 'request', 'request_uri', 'response_mode', 'id_token_hint', USER_MESSAGE_PARAM];
const validAuth = () => ({
  client_id: 'fz-basic', response_type: 'code', scope: 'openid', redirect_uri: redirectUri, state: 's', nonce: 'n', code_challenge: challenge, code_challenge_method: 'S256',
});
/** An unsigned request object whose claims may hold anything. */
const requestObject = jsonClaims({ ...validAuth(), iss: 'fz-basic', aud: 'issuer' }).map((claims) => `${b64({ alg: 'none' })}.${b64(claims)}.`);

test('discovery and jwks: any query is ignored', async () => {
  await fc.assert(fc.asyncProperty(fc.constantFrom('/.well-known/openid-configuration', '/jwks'), mutations(['x', 'client_id']), async (path, changes) => {
    await send(path, 'json', `${path}?${applyMutations({}, changes)}`);
  }), FUZZ);
});

test('/auth (GET): hostile authorization parameters, request objects and request_uris', async () => {
  const request = fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: requestObject });
  await fc.assert(fc.asyncProperty(mutations(AUTH_PARAMS), request, async (changes, request) => {
    const base: Record<string, string> = { ...validAuth(), ...(request ? { request } : {}) };
    await send('/auth', 'page', `/auth?${applyMutations(base, changes)}`);
  }), FUZZ);
});

test('/request (PAR): hostile parameters with every client authentication', async () => {
  await fc.assert(fc.asyncProperty(clientAuth, mutations(AUTH_PARAMS), async (auth, changes) => {
    const { client_id: _id, ...base } = validAuth();
    await send('/request', 'json', '/request', { method: 'POST', headers: auth.headers, body: await authenticatedBody(base, auth, changes) });
  }), FUZZ);
});

test('/token: every grant type with hostile codes, tokens and client authentication', async () => {
  const grant = fc.constantFrom<Record<string, string>>(
    { grant_type: 'authorization_code', code: 'c', redirect_uri: redirectUri, code_verifier: 'v'.repeat(43) },
    { grant_type: 'refresh_token', refresh_token: 'r' },
    { grant_type: 'client_credentials', scope: 'openid' },
    { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: 'd' },
  );
  const names = ['grant_type', 'code', 'redirect_uri', 'code_verifier', 'refresh_token', 'scope', 'resource', 'client_id', 'client_assertion', 'client_assertion_type'];
  await fc.assert(fc.asyncProperty(grant, clientAuth, mutations(names), async (base, auth, changes) => {
    await send('/token', 'json', '/token', { method: 'POST', headers: auth.headers, body: await authenticatedBody(base, auth, changes) });
  }), { ...FUZZ, numRuns: FUZZ.numRuns * 2 });
});

test('/me (userinfo): hostile access tokens in the header, the body and the query', async () => {
  const token = fc.oneof(fc.string({ maxLength: 60 }).filter((s) => /^[\x21-\x7e]*$/.test(s)), fc.constant('a'.repeat(5000)));
  await fc.assert(fc.asyncProperty(fc.constantFrom('header', 'body', 'query'), token, encodedValue, mutations(['access_token', 'scope']), async (where, header, value, changes) => {
    if (where === 'header') await send('/me', 'json', `/me?${applyMutations({}, changes)}`, { headers: { authorization: `Bearer ${header}` } });
    else if (where === 'body') await send('/me', 'json', '/me', { method: 'POST', body: `access_token=${value}&${applyMutations({}, changes)}` });
    else await send('/me', 'json', `/me?access_token=${value}&${applyMutations({}, changes)}`);
  }), FUZZ);
});

for (const path of ['/token/introspection', '/token/revocation']) {
  test(`${path}: hostile tokens and hints with every client authentication`, async () => {
    const hint = fc.constantFrom('access_token', 'refresh_token', 'authorization_code', 'bogus');
    await fc.assert(fc.asyncProperty(clientAuth, hint, mutations(['token', 'token_type_hint']), async (auth, token_type_hint, changes) => {
      await send(path, 'json', path, { method: 'POST', headers: auth.headers, body: await authenticatedBody({ token: 'x', token_type_hint }, auth, changes) });
    }), FUZZ);
  });
}

test('/session/end and its confirmation: hostile logout parameters', async () => {
  const names = ['id_token_hint', 'post_logout_redirect_uri', 'state', 'client_id', 'ui_locales', 'logout_hint', 'xsrf', 'logout'];
  await fc.assert(fc.asyncProperty(fc.boolean(), mutations(names), async (confirm, changes) => {
    if (confirm) await send('/session/end/confirm', 'page', '/session/end/confirm', { method: 'POST', body: applyMutations({ xsrf: 'x', logout: 'yes' }, changes) });
    else await send('/session/end', 'page', `/session/end?${applyMutations({ client_id: 'fz-basic', post_logout_redirect_uri: redirectUri, state: 's' }, changes)}`);
  }), FUZZ);
});

/** A fresh login interaction: its uid, its cookies and the page's CSRF token. */
async function interaction(): Promise<{ uid: string; cookie: string; csrf: string }> {
  const started = await fetch(`${issuer}/auth?${new URLSearchParams(validAuth())}`, { redirect: 'manual' });
  const location = started.headers.get('location')!;
  const cookies = started.headers.getSetCookie().map((c) => c.split(';')[0]);
  const page = await fetch(`${issuer}${location}`, { headers: { cookie: cookies.join('; ') } });
  cookies.push(...page.headers.getSetCookie().map((c) => c.split(';')[0]));
  return { uid: location.split('/').pop()!, cookie: cookies.join('; '), csrf: field(await page.text(), 'csrf') };
}

test('/interaction/:uid routes: hostile uids, forms, query parameters and missing cookies', async () => {
  const route = fc.constantFrom(['GET', ''], ['POST', '/start'], ['GET', '/status'], ['GET', '/return'], ['POST', '/cancel-order'], ['POST', '/abort'], ['POST', '/consent']);
  const uid = fc.option(encodedValue, { freq: 2 }); // null (every other run): the real uid
  const withCookie = fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) });
  await fc.assert(fc.asyncProperty(route, uid, withCookie, mutations(['csrf', 'method', 'decision']), mutations(['lang', 'nonce']), async ([method, suffix], otherUid, withCookie, form, query) => {
    const real = await interaction();
    const path = `/interaction/${otherUid ?? real.uid}${suffix}?${applyMutations({ lang: 'en' }, query)}`;
    const body = method === 'POST' ? applyMutations({ csrf: real.csrf, method: 'qr' }, form) : undefined;
    await send(`/interaction${suffix || '/'}`, 'page', path, { method, body, headers: withCookie ? { cookie: real.cookie } : {} });
  }), { ...FUZZ, numRuns: FUZZ.numRuns * 2 });
});

test('/demo: hostile query parameters, login forms and callbacks', async () => {
  const route = fc.constantFrom(['GET', '/demo'], ['POST', '/demo/login'], ['GET', '/demo/callback'], ['POST', '/demo/logout']);
  const names = ['lang', 'message', 'scope:profile', 'code', 'state', 'iss', 'error'];
  await fc.assert(fc.asyncProperty(route, mutations(names), async ([method, path], changes) => {
    const params = applyMutations(path === '/demo/callback' ? { code: 'c', state: 's', iss: issuer } : { lang: 'en' }, changes);
    if (method === 'POST') await send(path, 'page', path, { method, body: params });
    else await send(path, 'page', `${path}?${params}`);
  }), FUZZ);
});

test('the fuzzed text reaches the broker as sent (sanity check of the encoder)', () => {
  fc.assert(fc.property(text, (value) => {
    if (value.isWellFormed()) return decodeURIComponent(percentEncode(value)) === value;
    return percentEncode(value).includes('%ED');
  }), FUZZ);
});
