/**
 * The demo relying party at /demo (demo mode only): an ordinary OIDC client of this broker, using openid-client
 * exactly as a real app would, so a newcomer can click through a whole BankID login and see what an app receives.
 */
import { randomBytes } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import * as oidc from 'openid-client';
import { sentDataDigest, type CompletionVerifier, type VerificationResult } from '../bankid/verification/index.ts';
import type { Config } from '../config/load.ts';
import { readForm } from '../http/form.ts';
import { singleParam } from '../http/params.ts';
import { renderPage } from '../http/views.ts';
import { negotiateLocale, type Locale } from '../i18n/texts.ts';
import type { Logger } from '../observability/logger.ts';
import { OIDC_SE } from '../oidc/claims.ts';
import { SIGN_REQUEST_PARAM } from '../oidc/sign-request.ts';
import { USER_MESSAGE_PARAM } from '../oidc/user-message.ts';
import { cookieNames } from '../security/cookie-names.ts';
import type { ClientRepository } from '../storage/clients.ts';
import { loginErrorText, verificationSteps } from './messages.ts';

export const DEMO_CLIENT_ID = 'brygga-demo';
const SCOPES = ['openid', 'profile', OIDC_SE.naturalPersonNumber, OIDC_SE.naturalPersonInfo, 'bankid'];
const MAX_SESSIONS = 200;
/** A text to sign, sent twice in base64 (shown and signed), fits the default AUTH_LARGE_PARAM_MAX_BYTES (16 KB). */
const SIGN_TEXT_MAX_BYTES = 4500;

/** Registers (or keeps) the demo client; its secret is generated once and stays in the clients table. */
export async function registerDemoClient(clients: ClientRepository, config: Config): Promise<void> {
  const existing = await clients.find(DEMO_CLIENT_ID);
  await clients.save({
    client_id: DEMO_CLIENT_ID,
    client_secret: (existing?.client_secret as string | undefined) ?? randomBytes(32).toString('base64url'),
    client_name: 'Brygga demo',
    redirect_uris: [`${config.http.issuer}/demo/callback`],
    post_logout_redirect_uris: [`${config.http.issuer}/demo`],
    scope: [...SCOPES, OIDC_SE.sign].join(' '),
    brygga_first_party: true,
  });
}

/** What the demo shows of a signature: who, when, what, and each step of its verification. */
interface SignatureView { signer: string; signedAt: string; text: string; verification: VerificationResult; xml: string }

interface DemoSession {
  state?: string; nonce?: string; verifier?: string; idToken?: string;
  /** The text of a signature in progress (also its data to be signed). */
  signText?: string;
  result?: { idToken?: string; claims: Record<string, unknown>; userinfo: Record<string, unknown>; signature?: SignatureView } | { error: string };
  /** The language picked with the page's `?lang=` link; the return from a login carries none. */
  locale?: Locale;
}

/**
 * `verifier` is the broker's own verification (src/bankid/verification), run again on what the demo received: a relying
 * party that keeps a signature as evidence can check it the same way.
 */
export function demoRoutes(config: Config, logger: Logger, clients: ClientRepository, verifier: Pick<CompletionVerifier, 'verify'>, simulatorAppUrl?: string): Router {
  const router = new Router({ prefix: '/demo' });
  const sessions = new Map<string, DemoSession>();
  let discovered: Promise<oidc.Configuration> | undefined;
  const redirectUri = `${config.http.issuer}/demo/callback`;
  const cookie = cookieNames(config.http.issuer).demo;

  const configuration = () => {
    discovered ??= clients.find(DEMO_CLIENT_ID).then((c) =>
      oidc.discovery(new URL(config.http.issuer), DEMO_CLIENT_ID, undefined, oidc.ClientSecretBasic(String(c!.client_secret)), { execute: [oidc.allowInsecureRequests] }));
    discovered.catch(() => { discovered = undefined; });
    return discovered;
  };

  const session = (ctx: Context): DemoSession => {
    let id = ctx.cookies.get(cookie, { signed: true });
    if (!id || !sessions.has(id)) {
      id = randomBytes(16).toString('base64url');
      if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value!);
      sessions.set(id, {});
      ctx.cookies.set(cookie, id, { signed: true, httpOnly: true, sameSite: 'lax' });
    }
    return sessions.get(id)!;
  };
  const locale = (ctx: Context) => negotiateLocale({ lang: singleParam(ctx, 'lang'), acceptLanguage: ctx.get('accept-language') });

  // A language picked on the page wins over the browser's, also on the page the login returns to.
  const pageLocale = (ctx: Context, s: DemoSession) => s.locale ?? locale(ctx);

  router.get('/', (ctx) => {
    const s = session(ctx);
    if (ctx.query.lang) s.locale = locale(ctx);
    const l = pageLocale(ctx, s);
    const failure = s.result && 'error' in s.result ? { code: s.result.error, text: loginErrorText(s.result.error, l) } : undefined;
    const result = s.result && 'claims' in s.result ? s.result : undefined;
    ctx.body = renderPage('demo/index', { locale: l, title: 'Brygga demo', otherLanguageHref: `/demo?lang=${l === 'sv' ? 'en' : 'sv'}` }, {
      scopes: SCOPES,
      result,
      steps: result?.signature && verificationSteps(result.signature.verification, l),
      failure,
      simulatorUrl: simulatorAppUrl,
    });
  });

  router.post('/login', async (ctx) => {
    const form = await readForm(ctx);
    const s = session(ctx);
    const cfg = await configuration();
    s.verifier = oidc.randomPKCECodeVerifier();
    s.state = oidc.randomState();
    s.nonce = oidc.randomNonce();
    const scope = SCOPES.filter((sc) => sc === 'openid' || form[`scope:${sc}`] === 'on').join(' ');
    const params: Record<string, string> = {
      redirect_uri: redirectUri,
      scope,
      code_challenge: await oidc.calculatePKCECodeChallenge(s.verifier),
      code_challenge_method: 'S256',
      state: s.state,
      nonce: s.nonce,
      ui_locales: pageLocale(ctx, s),
    };
    // The person's own login text travels as the oidc.se userMessage parameter and shows up in the (simulated) app.
    if (form.message?.trim()) {
      params[USER_MESSAGE_PARAM] = JSON.stringify({ message: Buffer.from(form.message.trim()).toString('base64'), mime_type: 'text/markdown' });
    }
    ctx.status = 303;
    ctx.redirect(oidc.buildAuthorizationUrl(cfg, params).href);
  });

  // "Sign a text": a signature request (oidc.se Signature Extension) pushed with the demo's secret, so its JSON is
  // trusted as a whole; the text is both shown (sign_message) and signed as data (tbs_data).
  router.post('/sign', async (ctx) => {
    const form = await readForm(ctx);
    const s = session(ctx);
    const text = form.text?.trim() ?? '';
    if (!text || Buffer.byteLength(text) > SIGN_TEXT_MAX_BYTES) {
      s.result = { error: 'invalid_request' };
      ctx.status = 303;
      ctx.redirect('/demo');
      return;
    }
    const cfg = await configuration();
    s.verifier = oidc.randomPKCECodeVerifier();
    s.state = oidc.randomState();
    s.nonce = oidc.randomNonce();
    s.signText = text;
    const utf8 = Buffer.from(text).toString('base64');
    const url = await oidc.buildAuthorizationUrlWithPAR(cfg, {
      redirect_uri: redirectUri,
      // bankid: the OCSP response (authnEvidence) comes with userinfo, for the demo's own check of the signature.
      scope: `openid profile ${OIDC_SE.naturalPersonNumber} bankid ${OIDC_SE.sign}`,
      prompt: 'login consent',
      code_challenge: await oidc.calculatePKCECodeChallenge(s.verifier),
      code_challenge_method: 'S256',
      state: s.state,
      nonce: s.nonce,
      ui_locales: pageLocale(ctx, s),
      [SIGN_REQUEST_PARAM]: JSON.stringify({ tbs_data: utf8, sign_message: { message: utf8, mime_type: 'text/markdown' } }),
    });
    ctx.status = 303;
    ctx.redirect(url.href);
  });

  router.get('/callback', async (ctx) => {
    const s = session(ctx);
    const cfg = await configuration();
    try {
      const tokens = await oidc.authorizationCodeGrant(cfg, new URL(ctx.href), { pkceCodeVerifier: s.verifier, expectedState: s.state, expectedNonce: s.nonce });
      const claims = tokens.claims()!;
      const userinfo = await oidc.fetchUserInfo(cfg, tokens.access_token, claims.sub);
      s.idToken = tokens.id_token;
      s.result = { idToken: tokens.id_token, claims, userinfo, signature: await signatureView(verifier, claims, userinfo, s.signText) };
    } catch (err) {
      logger.info({ err: (err as Error).message }, 'demo login did not complete');
      // The OAuth error of the callback (access_denied when the person cancels), else the client check that failed.
      const e = err as Error & { error?: string; code?: string };
      s.result = { error: e.error ?? e.code ?? e.name };
    }
    delete s.verifier;
    delete s.signText;
    ctx.status = 303;
    ctx.redirect('/demo');
  });

  router.post('/logout', async (ctx) => {
    const s = session(ctx);
    const cfg = await configuration();
    const idToken = s.idToken;
    s.result = undefined;
    s.idToken = undefined;
    ctx.status = 303;
    ctx.redirect(idToken
      ? oidc.buildEndSessionUrl(cfg, { id_token_hint: idToken, post_logout_redirect_uri: `${config.http.issuer}/demo` }).href
      : '/demo');
  });

  return router;
}

const elementText = (xml: string, name: string) => new RegExp(`<${name}[^>]*>([^<]*)</${name}>`).exec(xml)?.[1];

/**
 * A signature as the demo shows it, verified by the broker's verification module on what the demo received: the
 * signature (ID token), the OCSP response (userinfo's authnEvidence), the personal number, and the text it sent as
 * both the shown text and the signed data. Reading the text out of the XML is for display only.
 */
async function signatureView(verifier: Pick<CompletionVerifier, 'verify'>, claims: Record<string, unknown>, userinfo: Record<string, unknown>, sent: string | undefined): Promise<SignatureView | undefined> {
  const signature = claims[OIDC_SE.userSignature];
  if (typeof signature !== 'string' || sent === undefined) return undefined;
  const xml = Buffer.from(signature, 'base64').toString('utf8');
  const visible = elementText(xml, 'usrVisibleData');
  const personalNumber = String(claims[OIDC_SE.personalIdentityNumber] ?? claims[OIDC_SE.coordinationNumber] ?? '');
  const verification = await verifier.verify(
    { signature, ocspResponse: String(userinfo[OIDC_SE.authnEvidence] ?? ''), user: { personalNumber } },
    { operation: 'sign', sentDataDigest: sentDataDigest({ userVisibleData: sent, userNonVisibleData: sent }) },
  );
  return {
    signer: `${String(claims.name ?? '')} (${personalNumber || String(claims.sub)})`,
    signedAt: new Date(Number(claims.auth_time) * 1000).toISOString(),
    text: visible ? Buffer.from(visible, 'base64').toString('utf8') : '',
    verification,
    xml,
  };
}
