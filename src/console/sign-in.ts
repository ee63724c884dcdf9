/**
 * Signing in to the console with BankID through the broker itself: an authorization-code login of the console's own
 * client, the personal number from the ID token looked up among the admins, a server-side session behind a signed
 * cookie that ends with the browser, idle sessions ended, and a fresh BankID sign-in for the weightiest changes.
 */
import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import * as oidc from 'openid-client';
import { principalFromScopes } from '../admin/principal.ts';
import { BrokerError } from '../errors/catalogue.ts';
import { consoleTexts } from '../i18n/console-texts.ts';
import { OIDC_SE } from '../oidc/claims.ts';
import { safeEqual } from '../security/safe-equal.ts';
import type { AdminRecord } from '../storage/admins.ts';
import { CALLBACK_PATH, CONSOLE_SCOPE } from './client.ts';
import { consoleLocale, renderConsole, sessionCookie, type ConsoleDeps, type SignedIn } from './context.ts';

/** The console's pages are under /admin; a return path must be one of them (no open redirect). */
const returnPath = (value: unknown) => typeof value === 'string' && /^\/admin(\/[\w./:%-]*)?$/.test(value) && !value.startsWith('/admin/api') ? value : '/admin';

export function setSessionCookie(ctx: Context, deps: ConsoleDeps, id: string | null): void {
  // No expiry: the cookie ends with the browser; the session's idle timeout ends it sooner on the server.
  ctx.cookies.set(sessionCookie(deps), id, { signed: true, httpOnly: true, sameSite: 'lax', path: '/admin', secure: deps.config.http.issuer.startsWith('https:'), overwrite: true });
}

/** The admin rights of the roles a person holds, as the admin API's scopes: one rule for tokens and console alike. */
function principalOf(admins: AdminRecord[]) {
  const scopes = admins.map((a) => a.role === 'broker_admin' ? 'admin' : a.role === 'tenant_admin' ? `admin:tenant:${a.tenantId}` : `admin:tenant:${a.tenantId}:read`);
  const actor = `console:${admins.find((a) => a.role === 'broker_admin')?.id ?? admins[0]!.id}`;
  const principal = principalFromScopes(actor, scopes);
  return principal && { ...principal, via: 'console' as const };
}

async function currentAdmins(deps: ConsoleDeps, ids: readonly string[]): Promise<AdminRecord[]> {
  const found = await Promise.all(ids.map((id) => deps.admins.get(deps.db, id)));
  return found.filter((a) => a !== undefined);
}

/** Every page but the sign-in's: a live session of someone who is still an admin; otherwise to the sign-in page. */
export function requireSignIn(deps: ConsoleDeps): Middleware {
  return async (ctx, next) => {
    const id = ctx.cookies.get(sessionCookie(deps), { signed: true });
    const session = id ? await deps.sessions.touch(id, deps.now(), deps.config.console.idleTimeoutS) : undefined;
    const admins = session?.adminIds ? await currentAdmins(deps, session.adminIds) : [];
    const principal = admins.length ? principalOf(admins) : undefined;
    if (!session || !principal) {
      ctx.status = 303;
      ctx.redirect(`/admin/login?return=${encodeURIComponent(ctx.method === 'GET' ? ctx.path : '/admin')}${id ? '&ended=1' : ''}`);
      return;
    }
    ctx.state.console = { session, admins, principal } satisfies SignedIn;
    ctx.set('cache-control', 'no-store');
    await next();
  };
}

/** Every form carries the session's CSRF token. */
export function checkCsrf(ctx: Context, form: Record<string, string>): void {
  const { session } = ctx.state.console as SignedIn;
  if (!safeEqual(form._csrf ?? '', session.csrf)) throw new BrokerError('console_form_expired');
}

/**
 * A change that needs a recent BankID sign-in: true when it may go ahead. Otherwise its fields are kept and the
 * person is sent to confirm with BankID, then back to `back` where the form is filled in again.
 */
export async function freshSignIn(deps: ConsoleDeps, ctx: Context, back: string, form: Record<string, string>): Promise<boolean> {
  const { session } = ctx.state.console as SignedIn;
  const age = deps.now().getTime() - (session.authenticatedAt?.getTime() ?? 0);
  if (age <= deps.config.console.reauthS * 1000) return true;
  const { _csrf, ...fields } = form;
  void _csrf;
  await deps.sessions.setPending(session.id, null, { ...fields, _path: back });
  ctx.status = 303;
  ctx.redirect(`/admin/reauth?return=${encodeURIComponent(back)}`);
  return false;
}

/** The form fields kept over a re-authentication for the page at `path` (once). */
export async function takeDraft(deps: ConsoleDeps, ctx: Context, path: string): Promise<Record<string, string> | undefined> {
  const { session } = ctx.state.console as SignedIn;
  if (session.draft?._path !== path) return undefined;
  await deps.sessions.setPending(session.id, session.pending ?? null, null);
  return session.draft;
}

export function signInRoutes(router: Router, deps: ConsoleDeps, signedInOnly: Middleware): void {
  const issuer = deps.config.http.issuer;

  router.get('/login', (ctx) => {
    const c = consoleTexts(consoleLocale(ctx));
    renderConsole(ctx, 'sign-in', c.signIn, { returnTo: returnPath(ctx.query.return), notice: ctx.query.ended ? c.idle : ctx.query.out ? c.signedOut : undefined });
  });

  router.get('/reauth', signedInOnly, (ctx) => {
    const c = consoleTexts(consoleLocale(ctx));
    renderConsole(ctx, 'reauth', c.reauthTitle, { returnTo: returnPath(ctx.query.return) });
  });

  // Starts a sign-in (or, signed in, a re-authentication that must be a new BankID identification).
  router.get('/login/start', async (ctx) => {
    const now = deps.now();
    const cfg = await deps.oidc();
    // startedAt is compared with the provider's auth_time, so it is the real clock, not the console's.
    const pending = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier: oidc.randomPKCECodeVerifier(), returnTo: returnPath(ctx.query.return), startedAt: String(Date.now()) };
    const id = ctx.cookies.get(sessionCookie(deps), { signed: true });
    const current = id ? await deps.sessions.touch(id, now, deps.config.console.idleTimeoutS) : undefined;
    if (current?.adminIds) await deps.sessions.setPending(current.id, pending);
    else setSessionCookie(ctx, deps, (await deps.sessions.create(now, pending)).id);
    const locale = consoleLocale(ctx);
    ctx.status = 303;
    ctx.redirect(oidc.buildAuthorizationUrl(cfg, {
      redirect_uri: `${issuer}${CALLBACK_PATH}`, scope: CONSOLE_SCOPE, state: pending.state, nonce: pending.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier), code_challenge_method: 'S256', ui_locales: locale,
      // Always a new BankID identification: a broker session of the person's own never stands in for it.
      prompt: 'login', max_age: '0',
    }).href);
  });

  router.get('/callback', async (ctx) => {
    const id = ctx.cookies.get(sessionCookie(deps), { signed: true });
    const session = id ? await deps.sessions.touch(id, deps.now(), deps.config.console.idleTimeoutS) : undefined;
    const pending = session?.pending;
    if (!session || !pending) throw new BrokerError('console_sign_in_failed', 'no sign-in under way in this browser');
    await deps.sessions.setPending(session.id, null);
    let claims: oidc.IDToken;
    try {
      const tokens = await oidc.authorizationCodeGrant(await deps.oidc(), new URL(ctx.originalUrl, issuer), {
        pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, maxAge: 0,
      });
      claims = tokens.claims()!;
    } catch (err) {
      deps.logger.info({ err: (err as Error).message, requestId: ctx.state.requestId }, 'console sign-in did not complete');
      throw new BrokerError('console_sign_in_failed', (err as Error).message, { cause: err });
    }
    if (Number(claims.auth_time) * 1000 < Number(pending.startedAt) - 1000) throw new BrokerError('console_sign_in_failed', 'not a new BankID identification');
    const personalNumber = String(claims[OIDC_SE.personalIdentityNumber] ?? claims[OIDC_SE.coordinationNumber] ?? '');
    const admins = personalNumber ? await deps.admins.findByPersonalNumber(deps.db, personalNumber) : [];
    if (!admins.length) {
      await deps.sessions.remove(session.id);
      setSessionCookie(ctx, deps, null);
      ctx.status = 303;
      ctx.redirect('/admin/denied');
      return;
    }
    // A re-authentication must be by the person already signed in.
    if (session.adminIds && !session.adminIds.every((a) => admins.some((b) => b.id === a))) throw new BrokerError('console_other_person');
    const name = String(claims.name ?? admins[0]!.displayName);
    const next = await deps.sessions.signedIn(session.id, admins.map((a) => a.id), name, deps.now());
    setSessionCookie(ctx, deps, next.id);
    deps.logger.info({ admins: admins.map((a) => a.id), requestId: ctx.state.requestId }, 'console sign-in');
    ctx.status = 303;
    ctx.redirect(pending.returnTo ?? '/admin');
  });

  // A person who is no admin: the same page in both languages, whatever the browser prefers.
  router.get('/denied', (ctx) => {
    ctx.status = 403;
    const text = new BrokerError('console_not_admin');
    renderConsole(ctx, 'denied', `${consoleTexts('sv').deniedTitle} / ${consoleTexts('en').deniedTitle}`, { sv: text.text('sv'), en: text.text('en'), titles: { sv: consoleTexts('sv').deniedTitle, en: consoleTexts('en').deniedTitle } });
  });
}
