/**
 * A U+0000 (or an unpaired surrogate, or an overlong value) where the broker looks something up — a client_id, a
 * code, a token, a request_uri, a client assertion's iss — is an unknown value: the endpoint answers exactly as it
 * does for any unknown value, never with a 500 (Postgres refuses U+0000 in text and jsonb).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';
import { MAX_KEY_LENGTH } from '../../src/storage/database.ts';

let t: TestBroker;
let issuer: string;
const secret = 'nul-secret-0123456789abcdefghijklmnop';
const redirectUri = 'https://rp.example/cb';
const basic = `Basic ${Buffer.from(`nul-rp:${secret}`).toString('base64')}`;
const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

before(async () => {
  t = await startTestBroker();
  issuer = t.broker.url;
  await t.broker.clients.save({
    client_id: 'nul-rp', client_secret: secret, redirect_uris: [redirectUri], grant_types: ['authorization_code', 'refresh_token'],
  });
});
after(async () => { await t?.close(); });

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const assertion = (iss: string) => `${b64({ alg: 'RS256' })}.${b64({ iss, sub: iss, aud: `${issuer}/token`, jti: 'j', exp: 2_000_000_000 })}.c2ln`;
const form = (fields: Record<string, string>, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields).toString(),
});
const auth = (extra: Record<string, string>) => `/auth?${new URLSearchParams({
  client_id: 'nul-rp', response_type: 'code', scope: 'openid', redirect_uri: redirectUri, code_challenge: challenge, code_challenge_method: 'S256', ...extra,
})}`;

/** Each case: where the value goes; called with an unknown ordinary value and with the impossible ones. */
const cases: [string, (value: string) => [string, RequestInit?]][] = [
  ['/auth client_id', (v) => [`/auth?${new URLSearchParams({ client_id: v, response_type: 'code', scope: 'openid', redirect_uri: redirectUri })}`]],
  ['/auth request_uri', (v) => [auth({ request_uri: `urn:ietf:params:oauth:request_uri:${v}` })]],
  ['/token code', (v) => ['/token', form({ grant_type: 'authorization_code', code: v, redirect_uri: redirectUri, code_verifier: 'v'.repeat(43) }, { authorization: basic })]],
  ['/token refresh_token', (v) => ['/token', form({ grant_type: 'refresh_token', refresh_token: v }, { authorization: basic })]],
  ['/token client_id (client_secret_post)', (v) => ['/token', form({ grant_type: 'authorization_code', code: 'c', client_id: v, client_secret: 's' })]],
  ['/token client assertion iss', (v) => ['/token', form({
    grant_type: 'authorization_code', code: 'c', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion(v),
  })]],
  ['/request client_id', (v) => ['/request', form({ client_id: v, client_secret: 's', response_type: 'code' })]],
  ['/me access_token (body)', (v) => ['/me', form({ access_token: v })]],
  ['/token/introspection token', (v) => ['/token/introspection', form({ token: v }, { authorization: basic })]],
  ['/token/introspection refresh token', (v) => ['/token/introspection', form({ token: v, token_type_hint: 'refresh_token' }, { authorization: basic })]],
  ['/token/revocation token', (v) => ['/token/revocation', form({ token: v }, { authorization: basic })]],
  ['/session/end client_id', (v) => [`/session/end?${new URLSearchParams({ client_id: v })}`]],
];

const impossible: [string, string][] = [
  ['U+0000', 'un\u0000known'],
  ['an unpaired surrogate', 'un\ud800known'],
  ['an overlong value', 'u'.repeat(MAX_KEY_LENGTH + 500)],
];

/** What a client can compare: the status, the OAuth error (JSON, the error page, or the redirect) and nothing else. */
async function outcome(path: string, init?: RequestInit): Promise<string> {
  const response = await fetch(`${issuer}${path}`, { redirect: 'manual', ...init });
  const body = await response.text();
  const location = response.headers.get('location');
  const error = location ? new URL(location).searchParams.get('error')
    : response.headers.get('content-type')?.includes('json') ? (JSON.parse(body) as { error?: string; active?: boolean }).error ?? JSON.stringify(JSON.parse(body))
      : /invalid_\w+/.exec(body)?.[0] ?? body;
  return `${response.status} ${error}`;
}

for (const [name, request] of cases) {
  test(`${name}: an impossible value is answered as an unknown one`, async () => {
    const unknown = await outcome(...request('unknown'));
    assert.ok(!unknown.startsWith('5'), unknown);
    for (const [what, value] of impossible) {
      assert.equal(await outcome(...request(value)), unknown, `${name} with ${what}`);
    }
  });
}

test('an authorization parameter the database cannot hold is the client\'s invalid_request, sent back to its redirect_uri', async () => {
  for (const extra of [{ state: 'a\u0000b' }, { nonce: 'a\u0000b' }, { login_hint: 'a\u0000b' }] as Record<string, string>[]) {
    const response = await fetch(`${issuer}${auth(extra)}`, { redirect: 'manual' });
    assert.equal(response.status, 303, JSON.stringify(extra));
    const location = new URL(response.headers.get('location')!);
    assert.equal(`${location.origin}${location.pathname}`, redirectUri);
    assert.equal(location.searchParams.get('error'), 'invalid_request');
  }
});
