/**
 * Turns a BrokerError from any later step into what the caller reads: a page in the login's language, JSON, or (for
 * an image) one short line of text.
 */
import type { Middleware } from 'koa';
import { BrokerError } from '../../errors/catalogue.ts';
import { renderError } from '../../http/views.ts';
import { localeOf } from '../context.ts';

export function renderErrors(as: 'page' | 'json' | 'text'): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      // Anything else (koa's own 413, a bug) is worded by the app-wide error pages.
      if (!(err instanceof BrokerError)) throw err;
      const locale = localeOf(ctx);
      ctx.status = err.status;
      if (err.retryAfterS) ctx.set('retry-after', String(err.retryAfterS));
      if (as === 'json') {
        ctx.body = err.toJSON(locale);
      } else if (as === 'text') {
        ctx.type = 'text';
        ctx.body = err.text(locale);
      } else {
        ctx.type = 'html';
        ctx.body = renderError(locale, err.text(locale), undefined, { requestId: ctx.state.requestId });
      }
    }
  };
}
