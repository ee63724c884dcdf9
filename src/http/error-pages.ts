/**
 * The broker's last word on a request that found no route or failed unexpectedly: a page for a person (their
 * language, the request id to quote, a way home) or JSON for a program. What was thrown goes to the request's log
 * line (access-log.ts).
 */
import type { Context, Middleware } from 'koa';
import { asBrokerError, BrokerError, type ErrorCode } from '../errors/catalogue.ts';
import { negotiateLocale, textsFor, type Locale } from '../i18n/texts.ts';
import { renderError } from './views.ts';

export interface ErrorPagesOptions {
  /** Where the pages' home link goes; without a page of ours to go to there is no link. */
  home?: string;
}

// koa's own errors keep their meaning (readForm's 413); a client error is never reported as ours.
const BY_STATUS: Record<number, ErrorCode> = { 404: 'not_found', 413: 'form_too_large' };

function brokerErrorOf(caught: unknown): BrokerError {
  if (caught instanceof BrokerError) return caught;
  // Ours, wrapped by oidc-provider on its way (a database outage met in interactionDetails).
  const cause = (caught as { cause?: unknown } | null)?.cause;
  if (cause instanceof BrokerError) return cause;
  const status = (caught as { status?: unknown } | null)?.status;
  if (typeof status !== 'number' || status >= 500) return asBrokerError(caught);
  return new BrokerError(BY_STATUS[status] ?? 'request_invalid', undefined, { cause: caught });
}

function localeOf(ctx: Context): Locale {
  const lang = ctx.query.lang;
  return negotiateLocale({ lang: typeof lang === 'string' ? lang : undefined, acceptLanguage: ctx.get('accept-language') });
}

function respond(ctx: Context, err: BrokerError, home: string | undefined): void {
  const locale = localeOf(ctx);
  ctx.status = err.status;
  if (err.retryAfterS) ctx.set('retry-after', String(err.retryAfterS));
  if (ctx.accepts('json', 'html') === 'html') {
    ctx.type = 'html';
    // A query-only link stays on this path, whatever the path is.
    const otherLanguageHref = err.code === 'not_found' ? `?lang=${locale === 'sv' ? 'en' : 'sv'}` : undefined;
    const busy = err.code === 'busy';
    // The browser asks again by itself (a GET only: a form is not sent twice unasked).
    if (busy && ctx.method === 'GET' && err.retryAfterS) ctx.set('refresh', String(err.retryAfterS));
    ctx.body = renderError(locale, err.text(locale), undefined, { requestId: ctx.state.requestId, home, otherLanguageHref, title: busy ? textsFor(locale).busyTitle : undefined });
  } else {
    ctx.body = err.toJSON(locale);
  }
}

export function errorPages({ home }: ErrorPagesOptions = {}): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      // Nothing answered: koa would send a plain "Not Found".
      if (ctx.status === 404 && ctx.body == null && ctx.respond !== false) respond(ctx, new BrokerError('not_found'), home);
    } catch (caught) {
      if (ctx.headerSent) throw caught;
      ctx.state.failure = caught;
      respond(ctx, brokerErrorOf(caught), home);
    }
  };
}
