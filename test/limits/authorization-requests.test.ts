/**
 * The guard in front of /auth and /request, from the outside: requests per address per minute, and parameter
 * sizes, refused before oidc-provider stores an Interaction (or a pushed request).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { CATALOGUE } from '../../src/errors/catalogue.ts';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';

let t: TestBroker;
const statements: string[] = [];
const redirectUri = 'https://rp.example/callback';
const clientId = 'guarded';
const secret = 'guarded-secret-0123456789abcdefghij';

before(async () => {
  t = await startTestBroker({ TRUST_PROXY: 'true', PROXY_HOPS: '1', RATE_LIMIT_AUTH_PER_IP_PER_MINUTE: '60' }, {}, (s) => statements.push(s));
  await t.broker.clients.save({ client_id: clientId, client_secret: secret, redirect_uris: [redirectUri], brygga_first_party: true, scope: 'openid' });
});
after(async () => { await t?.close(); });

const params = (extra: Record<string, string> = {}) => new URLSearchParams({
  client_id: clientId, response_type: 'code', redirect_uri: redirectUri, scope: 'openid', state: 'st',
  code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', ...extra,
});

function authorize(address: string, query: URLSearchParams, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${t.broker.url}/auth?${query}`, { redirect: 'manual', headers: { 'x-forwarded-for': address, ...headers } });
}

function push(address: string, body: string): Promise<Response> {
  return fetch(`${t.broker.url}/request`, {
    method: 'POST',
    headers: {
      'x-forwarded-for': address,
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
    },
    body,
  });
}

async function rows(model: 'Interaction' | 'PushedAuthorizationRequest'): Promise<number> {
  const result = await sql<{ n: string }>`select count(*) as n from oidc_payload where model = ${model}`.execute(t.broker.database.db);
  return Number(result.rows[0]!.n);
}

test('the 61st authorization request from one address in a minute gets 429 with Retry-After and creates no interaction', async () => {
  const before = await rows('Interaction');
  for (let i = 0; i < 60; i++) {
    const allowed = await authorize('127.0.0.2', params());
    assert.equal(allowed.status, 303, `request ${i + 1}`);
    assert.match(allowed.headers.get('location') ?? '', /\/interaction\//);
  }
  assert.equal(await rows('Interaction'), before + 60);

  const refused = await authorize('127.0.0.2', params(), { 'accept-language': 'en' });
  assert.equal(refused.status, 429);
  const retryAfter = Number(refused.headers.get('retry-after'));
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${refused.headers.get('retry-after')}`);
  assert.match(refused.headers.get('content-type') ?? '', /text\/html/);
  const page = await refused.text();
  assert.ok(page.includes(CATALOGUE.rate_limited.text.en), page);
  assert.equal(await rows('Interaction'), before + 60, 'no interaction row for the refused request');

  // Pushed requests count against the same address and are answered in OAuth's JSON.
  const pushed = await push('127.0.0.2', params().toString());
  assert.equal(pushed.status, 429);
  assert.ok(Number(pushed.headers.get('retry-after')) >= 1);
  assert.deepEqual(await pushed.json(), { error: 'temporarily_unavailable', error_description: 'too many authorization requests from this address' });

  assert.equal((await authorize('127.0.0.3', params())).status, 303, 'another address is not affected');
});

test('a 12 KB state is refused with 400 and a readable page before any row is written', async () => {
  const before = await rows('Interaction');
  const refused = await authorize('127.0.0.4', params({ state: 'x'.repeat(12 * 1024) }));
  assert.equal(refused.status, 400);
  const page = await refused.text();
  assert.ok(page.includes(CATALOGUE.request_invalid.text.sv), page);
  assert.ok(page.includes('invalid_request: state is longer than 2048 bytes'), page);
  assert.equal(refused.headers.get('location'), null, 'never redirected to the unverified client');
  assert.equal(await rows('Interaction'), before);
  assert.equal((await authorize('127.0.0.4', params({ nonce: 'n'.repeat(2049) }))).status, 400);
  assert.equal(await rows('Interaction'), before);
});

test('parameters that are large by nature have the larger bound', async () => {
  const claims = JSON.stringify({ id_token: { auth_time: { essential: true } } }) + ' '.repeat(3000);
  const allowed = await authorize('127.0.0.5', params({ claims }));
  assert.equal(allowed.status, 303);
  // Beyond 16 KB only fits a pushed request (Node refuses longer request lines with 431 on its own).
  const refused = await push('127.0.0.5', params({ claims: claims + ' '.repeat(16 * 1024) }).toString());
  assert.equal(refused.status, 400);
  assert.deepEqual(await refused.json(), { error: 'invalid_request', error_description: 'claims is longer than 16384 bytes' });
});

test('pushed requests pass through the guard intact, and oversized ones are refused as OAuth JSON', async () => {
  const pushed = await push('127.0.0.6', params().toString());
  assert.equal(pushed.status, 201, await pushed.clone().text());
  const { request_uri: requestUri } = await pushed.json() as { request_uri: string };
  const followed = await authorize('127.0.0.6', new URLSearchParams({ client_id: clientId, request_uri: requestUri }));
  assert.equal(followed.status, 303);
  assert.match(followed.headers.get('location') ?? '', /\/interaction\//);

  const before = await rows('PushedAuthorizationRequest');
  const longState = await push('127.0.0.6', params({ state: 'x'.repeat(12 * 1024) }).toString());
  assert.equal(longState.status, 400);
  assert.deepEqual(await longState.json(), { error: 'invalid_request', error_description: 'state is longer than 2048 bytes' });

  const many = new URLSearchParams(params());
  for (let i = 0; i < 40; i++) many.append(`p${i}`, 'v'.repeat(1000));
  const tooBig = await push('127.0.0.6', many.toString());
  assert.equal(tooBig.status, 400);
  assert.deepEqual(await tooBig.json(), { error: 'invalid_request', error_description: 'the request is longer than 32768 bytes' });
  assert.equal(await rows('PushedAuthorizationRequest'), before);
});

test('the address cap costs no statement of its own: it is counted by the statement that stores the interaction', async () => {
  statements.length = 0;
  assert.equal((await authorize('127.0.0.7', params())).status, 303);
  const limits = statements.filter((s) => /\brate_limits\b/.test(s));
  assert.equal(limits.length, 1, limits.join('\n'));
  assert.match(limits[0]!, /insert into oidc_payload/, 'the same statement stores the interaction');
  assert.equal(statements.filter((s) => /oidc_payload/.test(s)).length, 1, statements.join('\n'));
});
