/**
 * Single sign-on policy (Sweden Connect OIDC profile 2.2.1): a browser's session is not reused across clients
 * unless they share a `brygga_sso_group`; without `prompt` a login runs BankID again; `prompt=none` from a client
 * that may not reuse the session gets `login_required`.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';
import { HttpBrowser } from '../helpers/http-browser.ts';
import { authorize, callbackOf, discover, interactionUid, login } from '../helpers/rp.ts';

let t: TestBroker;
const secret = 'sso-secret-0123456789abcdefghijklmn';
const rps = new Map<string, oidc.Configuration>();

before(async () => {
  t = await startTestBroker();
  const clients: [string, string | undefined][] = [['sso-a', undefined], ['sso-b', undefined], ['sso-g1', 'kommun'], ['sso-g2', 'kommun'], ['sso-h', 'region']];
  for (const [clientId, group] of clients) {
    await t.broker.clients.save({
      client_id: clientId, client_secret: secret, client_name: clientId, redirect_uris: ['https://rp.example/callback'],
      brygga_first_party: true, scope: 'openid', ...(group ? { brygga_sso_group: group } : {}),
    });
    rps.set(clientId, await discover(t, clientId, oidc.ClientSecretBasic(secret)));
  }
});
after(async () => { await t?.close(); });

const rp = (clientId: string) => rps.get(clientId)!;

async function loggedInBrowser(clientId: string) {
  const browser = new HttpBrowser();
  const { tokens } = await login(t, rp(clientId), {}, browser);
  return { browser, sub: tokens.claims()!.sub };
}

test('another client of the same browser gets a BankID login, not the first client\'s session', async () => {
  const { browser } = await loggedInBrowser('sso-a');
  const { step } = await authorize(t, rp('sso-b'), {}, browser);
  interactionUid(step);
  assert.match(step.body, /data-method="qr"/, 'the BankID start page');
});

test('without prompt the same client runs BankID again (prompt=login); with prompt=none it reuses its own session', async () => {
  const { browser, sub } = await loggedInBrowser('sso-a');
  interactionUid((await authorize(t, rp('sso-a'), {}, browser)).step);
  const silent = await authorize(t, rp('sso-a'), { prompt: 'none' }, browser);
  const tokens = await oidc.authorizationCodeGrant(rp('sso-a'), callbackOf(silent.step), { pkceCodeVerifier: silent.verifier, expectedState: silent.state, expectedNonce: silent.nonce });
  assert.equal(tokens.claims()!.sub, sub);
});

test('prompt=none from a client whose session came from another client fails with login_required', async () => {
  const { browser } = await loggedInBrowser('sso-a');
  for (const clientId of ['sso-b', 'sso-g1']) {
    const { step, state } = await authorize(t, rp(clientId), { prompt: 'none' }, browser);
    const params = callbackOf(step).searchParams;
    assert.equal(params.get('error'), 'login_required', clientId);
    assert.equal(params.get('state'), state);
  }
});

test('clients of one SSO group share the session, with or without prompt=none; other groups do not', async () => {
  const { browser, sub } = await loggedInBrowser('sso-g1');
  const prompts: Record<string, string>[] = [{}, { prompt: 'none' }];
  for (const prompt of prompts) {
    const auth = await authorize(t, rp('sso-g2'), prompt, browser);
    const tokens = await oidc.authorizationCodeGrant(rp('sso-g2'), callbackOf(auth.step), { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce });
    assert.equal(tokens.claims()!.sub, sub);
  }
  interactionUid((await authorize(t, rp('sso-h'), {}, browser)).step);
  interactionUid((await authorize(t, rp('sso-g2'), { prompt: 'login' }, browser)).step);
});

test('an SSO group name is validated like every client setting', async () => {
  await t.broker.clients.save({ client_id: 'sso-bad', client_secret: secret, redirect_uris: ['https://rp.example/callback'], brygga_sso_group: 'no spaces allowed' });
  const { step } = await authorize(t, await discover(t, 'sso-bad', oidc.ClientSecretBasic(secret)), {});
  assert.equal(step.status, 400);
  assert.match(step.body, /brygga_sso_group/);
});
