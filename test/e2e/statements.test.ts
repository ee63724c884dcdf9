/**
 * How many SQL statements one complete login costs (issue 7: at most 15), by kind, so a change that adds statements
 * fails here. The order's own statements (`bankid_orders`: the start, the status polls, the collects) depend on how
 * often the page polls and belong to the order flow; they are printed, not pinned. The poll of each interaction page
 * goes with its read of the interaction, one pinned statement (the start's rate limits too, as the authorization request's go with its interaction's save); the tenant's certificate is kept per process (no
 * statement per start), and the login binding goes with the resume's entity writes.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';
import { field } from '../helpers/http-browser.ts';
import { afterOrder, authorize, callbackOf, discover, interactionUid, settled } from '../helpers/rp.ts';

/** The kind of a statement: the first pattern it matches. */
const KINDS: [string, RegExp][] = [
  ['token with its grant, session and login order', /^\s*with t as \(\s*select payload, consumed_at from oidc_payload/],
  ['interaction with its order\'s poll', /^\s*with o as \(update "bankid_orders" .* from \(select 1\) as one\s+left join i on true/s],
  ['entity read', /^\s*select .* from "oidc_payload"/],
  ['entity writes', /oidc_payload/],
  ['login binding', /login_grants/],
  ['rate limit', /rate_limits/],
  ['client lookup', /from "clients"/], // with its tenant's policy, joined
  ['tenant lookup', /"tenants"/], // pinned at none: the policy comes with the client
  ['order', /bankid_orders/],
];
/** Kinds that vary with timing: the client cache (5 s), the order flow's polls and collects, key reloads. */
const UNPINNED = new Set(['client lookup', 'order', 'other']);

let t: TestBroker;
let rp: oidc.Configuration;
let counting = false;
const counted = new Map<string, number>();
const secret = 'rp-secret-0123456789abcdefghijklmnop';

before(async () => {
  t = await startTestBroker({}, { autoApproveMs: 300 }, (statement) => {
    if (!counting) return;
    const kind = KINDS.find(([, pattern]) => pattern.test(statement))?.[0] ?? 'other';
    counted.set(kind, (counted.get(kind) ?? 0) + 1);
  });
  await t.broker.clients.save({ client_id: 'count-rp', client_secret: secret, client_name: 'Count', redirect_uris: ['https://rp.example/callback'], brygga_first_party: true, scope: 'openid profile' });
  rp = await discover(t, 'count-rp', oidc.ClientSecretBasic(secret));
});
after(async () => { await t?.close(); });

/** As a person and the app do it: PKCE request, BankID page, start (QR), the order page and its polls, code, token, userinfo. */
async function login(): Promise<void> {
  const auth = await authorize(t, rp, { scope: 'openid profile' });
  const uid = interactionUid(auth.step);
  const started = await auth.browser.post(`${t.broker.url}/interaction/${uid}/start`, { csrf: field(auth.step.body, 'csrf'), method: 'qr' });
  assert.equal(started.status, 303, started.body);
  assert.equal((await auth.browser.get(new URL(started.location!, t.broker.url).href)).status, 200);
  assert.equal((await settled(t, auth.browser, uid)).state, 'complete');
  const tokens = await oidc.authorizationCodeGrant(rp, callbackOf(await afterOrder(t, auth.browser, uid)), { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce });
  await oidc.fetchUserInfo(rp, tokens.access_token, tokens.claims()!.sub);
}

test('one complete login costs 11 statements besides the order\'s own', async () => {
  await login(); // warm-up: signing keys, client cache
  counted.clear();
  counting = true;
  await login();
  counting = false;
  const all = Object.fromEntries(counted);
  const pinned = Object.fromEntries([...counted].filter(([kind]) => !UNPINNED.has(kind)));
  const total = [...counted.values()].reduce((a, b) => a + b, 0);
  console.log(`statements of one login: ${total} in all, by kind ${JSON.stringify(all)}`);
  assert.deepEqual(pinned, {
    'entity writes': 4, // the interaction saved (authorization, with its address's rate limit; finish); the resume's (with the login binding) and the token request's writes, one statement each
    'interaction with its order\'s poll': 4, // BankID page, start (its previous order, to cancel; its rate limits), order page, finish: one statement each
    'entity read': 1, // the interaction at the resume
    'token with its grant, session and login order': 2, // token request, userinfo
  });
});
