/** Turns a BrokerError from any later step into what the caller reads: a page in the person's language, or JSON. */
import type { Middleware } from 'koa';
import { BrokerError } from '../../errors/catalogue.ts';
import { renderError } from '../../http/views.ts';
import { localeOf } from '../context.ts';

export function renderErrors(as: 'page' | 'json'): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (caught) {
      // koa's own errors (the form reader's 413) are ours to word; anything else is a bug for koa to log.
      const err = caught instanceof BrokerError ? caught
        : (caught as { status?: number }).status === 413 ? new BrokerError('form_too_large', undefined, { cause: caught }) : undefined;
      if (!err) throw caught;
      const locale = localeOf(ctx);
      ctx.status = err.status;
      if (err.retryAfterS) ctx.set('retry-after', String(err.retryAfterS));
      if (as === 'json') {
        ctx.body = err.toJSON(locale);
      } else {
        ctx.type = 'html';
        ctx.body = renderError(locale, err.text(locale));
      }
    }
  };
}
