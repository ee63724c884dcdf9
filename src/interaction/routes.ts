/**
 * The BankID login pages behind oidc-provider's interactions: choose a start method, show the animated QR or the
 * app link, report status, finish the login (and consent). Orders go through LoginService; OIDC through the provider.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { errors, type InteractionResults } from 'oidc-provider';
import QRCode from 'qrcode';
import { detectDevice, launchUrl } from '../bankid/launch.ts';
import type { Config } from '../config/load.ts';
import { readForm } from '../http/form.ts';
import { renderError, renderPage } from '../http/views.ts';
import { LoginStartError, type LoginService, type LoginState, type StartMethod } from '../login/service.ts';
import type { Logger } from '../observability/logger.ts';
import { clientSettings } from '../oidc/client-settings.ts';
import { messageFor, parseUserMessage, USER_MESSAGE_PARAM } from '../oidc/user-message.ts';
import { browserBinding, clientIp, csrfToken, deviceId, validCsrf, webDeviceData } from './browser.ts';
import { negotiateLocale, textsFor, type Locale } from './i18n.ts';
import { messageForError, messageForState } from './messages.ts';

export interface InteractionDeps {
  config: Config;
  provider: () => Provider;
  login: LoginService;
  csrfSecret: string;
  logger: Logger;
}

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

/** A person-facing failure: rendered as a page in their language with the right status. */
class PageError extends Error {
  readonly status: number;
  readonly text: (locale: Locale) => string;
  constructor(status: number, text: (locale: Locale) => string) {
    super('interaction page error');
    this.status = status;
    this.text = text;
  }
}

const startMethods = new Set<StartMethod>(['qr', 'same_device']);

export function interactionRoutes(deps: InteractionDeps): Router {
  const router = new Router({ prefix: '/interaction/:uid' });
  const { config, login } = deps;
  const issuerHost = new URL(config.http.issuer).hostname;

  const localeOf = (ctx: Context, details?: Details) => negotiateLocale({
    lang: typeof ctx.query.lang === 'string' ? ctx.query.lang : undefined,
    uiLocales: details?.params.ui_locales as string | undefined,
    acceptLanguage: ctx.get('accept-language'),
  });

  /** Loads the interaction of this browser; the `_interaction` cookie must match the uid in the path. */
  async function details(ctx: Context): Promise<Details> {
    try {
      const found = await deps.provider().interactionDetails(ctx.req, ctx.res);
      if (found.uid !== ctx.params.uid) throw new errors.SessionNotFound('interaction mismatch');
      return found;
    } catch (err) {
      if (err instanceof errors.SessionNotFound) throw new PageError(400, (l) => textsFor(l).errorExpired);
      throw err;
    }
  }

  async function client(d: Details) {
    const found = await deps.provider().Client.find(String(d.params.client_id));
    if (!found) throw new PageError(400, (l) => textsFor(l).errorGeneric);
    return found;
  }

  async function checkedForm(ctx: Context): Promise<Record<string, string>> {
    const form = await readForm(ctx);
    if (!validCsrf(deps.csrfSecret, ctx.params.uid!, deviceId(ctx), form.csrf)) throw new PageError(403, (l) => textsFor(l).errorForbidden);
    return form;
  }

  const urls = (uid: string, locale: Locale) => ({
    page: `/interaction/${uid}`,
    startUrl: `/interaction/${uid}/start`,
    statusUrl: `/interaction/${uid}/status?lang=${locale}`,
    abortUrl: `/interaction/${uid}/abort`,
    cancelOrderUrl: `/interaction/${uid}/cancel-order`,
    consentUrl: `/interaction/${uid}/consent`,
  });

  async function finish(ctx: Context, result: InteractionResults) {
    const redirectTo = await deps.provider().interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(redirectTo);
  }

  const qrSvg = (qr: string | undefined) => (qr ? QRCode.toString(qr, { type: 'svg', errorCorrectionLevel: 'L', margin: 2 }) : Promise.resolve(undefined));

  router.use(async (ctx, next) => {
    ctx.set('cache-control', 'no-store');
    try {
      await next();
    } catch (err) {
      if (!(err instanceof PageError)) throw err;
      const locale = localeOf(ctx);
      ctx.status = err.status;
      ctx.type = 'html';
      ctx.body = renderError(locale, err.text(locale));
    }
  });

  router.get('/', async (ctx) => {
    const d = await details(ctx);
    const locale = localeOf(ctx, d);
    const t = textsFor(locale);
    const c = await client(d);
    const id = deviceId(ctx);
    const uid = d.uid;
    const common = { ...urls(uid, locale), clientName: c.clientName ?? c.clientId, csrf: csrfToken(deps.csrfSecret, uid, id) };
    const page = { locale, title: t.title, otherLanguageHref: `/interaction/${uid}?lang=${locale === 'sv' ? 'en' : 'sv'}` };

    if (d.prompt.name === 'consent') {
      const scopes = String(d.params.scope ?? 'openid').split(' ').filter(Boolean).map((s) => t.scopes[s] ?? s);
      ctx.body = renderPage('interaction/consent', { ...page, title: t.consentTitle }, { ...common, scopes });
      return;
    }

    const device = detectDevice(ctx.get('user-agent'));
    const allowed = clientSettings(c as unknown as Record<string, unknown>).startMethods;
    const state = await login.status(uid, browserBinding(ctx));
    if (state?.state === 'complete') {
      await finish(ctx, { login: { accountId: state.subject, acr: config.oidc.acr, amr: ['mfa'], ts: Math.floor(state.completedAt.getTime() / 1000), remember: false } });
      return;
    }
    if (!state) {
      // Start with what fits the device; the other method stays one click away.
      const methods = [...allowed].sort((a) => ((a === 'same_device') === device.mobile ? -1 : 1));
      ctx.body = renderPage('interaction/login', page, { ...common, view: 'choose', methods });
      return;
    }
    const switchTo = allowed.find((m) => m !== state.startMethod);
    const launch = state.state === 'pending' && state.autoStartToken
      ? launchUrl({ autoStartToken: state.autoStartToken, userAgent: ctx.get('user-agent'), returnUrl: `${config.http.issuer}/interaction/${uid}` })
      : undefined;
    ctx.body = renderPage('interaction/login', { ...page, refreshSeconds: state.state === 'pending' ? (state.startMethod === 'qr' ? 1 : 2) : undefined, script: '/assets/login.js' }, {
      ...common,
      view: 'order',
      state: state.state,
      method: state.startMethod,
      hintCode: state.hintCode,
      message: messageForState(state, device.mobile, locale),
      qr: state.state === 'pending' ? state.qr : undefined,
      qrSvg: state.state === 'pending' ? await qrSvg(state.qr) : undefined,
      launch,
      switchTo,
    });
  });

  router.post('/start', async (ctx) => {
    const form = await checkedForm(ctx);
    const d = await details(ctx);
    const c = await client(d);
    const settings = clientSettings(c as unknown as Record<string, unknown>);
    const method = form.method as StartMethod;
    if (!startMethods.has(method) || !settings.startMethods.includes(method)) throw new PageError(400, (l) => textsFor(l).errorGeneric);
    const id = deviceId(ctx);
    const binding = browserBinding(ctx);
    await login.cancelFor(d.uid, binding);

    const locale = localeOf(ctx, d);
    const requested = d.params[USER_MESSAGE_PARAM] ? parseUserMessage(String(d.params[USER_MESSAGE_PARAM])) : undefined;
    const text = requested ? messageFor(requested, locale) : settings.loginText;
    const markdown = requested ? requested.mimeType === 'text/markdown' : Boolean(settings.loginText);
    try {
      await login.start({
        interactionId: d.uid,
        clientId: c.clientId,
        startMethod: method,
        endUserIp: clientIp(ctx),
        web: webDeviceData(ctx, id, issuerHost),
        browserBinding: binding,
        userVisibleData: text,
        userVisibleDataFormat: text && markdown ? 'simpleMarkdownV1' : undefined,
        requirement: settings.requirement,
        returnUrlFor: method === 'same_device' ? (nonce) => `${config.http.issuer}/interaction/${d.uid}/return?nonce=${nonce}` : undefined,
      });
    } catch (err) {
      if (!(err instanceof LoginStartError)) throw err;
      deps.logger.warn({ err: err.message, clientId: c.clientId }, 'bankid order not started');
      const mobile = detectDevice(ctx.get('user-agent')).mobile;
      throw new PageError(502, (l) => messageForError(err.errorCode, method, mobile, l));
    }
    ctx.status = 303;
    ctx.redirect(`/interaction/${d.uid}${ctx.query.lang ? `?lang=${String(ctx.query.lang)}` : ''}`);
  });

  router.get('/status', async (ctx) => {
    // Cheap on purpose: the interaction cookie must name this uid, and the order must belong to this browser.
    if (ctx.cookies.get('_interaction', { signed: true }) !== ctx.params.uid) {
      ctx.status = 404;
      ctx.body = { error: 'no such login in this browser' };
      return;
    }
    const state: LoginState | undefined = await login.status(ctx.params.uid!, browserBinding(ctx));
    if (!state) {
      ctx.status = 404;
      ctx.body = { error: 'no order for this login' };
      return;
    }
    const locale = localeOf(ctx);
    ctx.body = {
      state: state.state,
      hintCode: state.state === 'complete' ? undefined : state.hintCode,
      message: state.state === 'complete' ? '' : messageForState(state, detectDevice(ctx.get('user-agent')).mobile, locale),
      // The QR string is what the image shows anyone looking at the screen; tools and tests read it here.
      qr: state.state === 'pending' ? state.qr : undefined,
      qrSvg: state.state === 'pending' ? await qrSvg(state.qr) : undefined,
    };
  });

  router.get('/return', async (ctx) => {
    const d = await details(ctx);
    const nonce = typeof ctx.query.nonce === 'string' ? ctx.query.nonce : '';
    if (!(await login.verifyReturn(d.uid, nonce, browserBinding(ctx)))) {
      throw new PageError(400, (l) => textsFor(l).errorReturn);
    }
    ctx.status = 303;
    ctx.redirect(`/interaction/${d.uid}`);
  });

  router.post('/cancel-order', async (ctx) => {
    await checkedForm(ctx);
    await login.cancelFor(ctx.params.uid!, browserBinding(ctx));
    ctx.status = 204;
  });

  router.post('/abort', async (ctx) => {
    await checkedForm(ctx);
    const d = await details(ctx);
    await login.cancelFor(d.uid, browserBinding(ctx));
    await finish(ctx, { error: 'access_denied', error_description: 'The user cancelled the login.' });
  });

  router.post('/consent', async (ctx) => {
    await checkedForm(ctx);
    const d = await details(ctx);
    if (d.prompt.name !== 'consent' || !d.session?.accountId) throw new PageError(400, (l) => textsFor(l).errorGeneric);
    const provider = deps.provider();
    const grant = d.grantId
      ? (await provider.Grant.find(d.grantId))!
      : new provider.Grant({ accountId: d.session.accountId, clientId: String(d.params.client_id) });
    const detail = d.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
    if (detail.missingOIDCScope) grant.addOIDCScope(detail.missingOIDCScope.join(' '));
    if (detail.missingOIDCClaims) grant.addOIDCClaims(detail.missingOIDCClaims);
    const grantId = await grant.save();
    await finish(ctx, { consent: d.grantId ? {} : { grantId } });
  });

  return router;
}
