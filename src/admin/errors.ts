/**
 * Every admin API error as JSON: `{error, message}` with a stable code from the catalogue, and for bad input also
 * `errors: [{field, message}]`, one per wrong field. Nothing unexpected becomes anything but a logged 500.
 */
import type { Middleware } from 'koa';
import { asBrokerError, BrokerError } from '../errors/catalogue.ts';
import type { FieldError } from '../errors/field-errors.ts';
import { negotiateLocale } from '../i18n/texts.ts';
import type { Logger } from '../observability/logger.ts';

export type { FieldError };

export class AdminInputError extends BrokerError {
  readonly errors: FieldError[];
  constructor(errors: FieldError[]) {
    super('admin_invalid', errors.map((e) => `${e.field || 'request'}: ${e.message}`).join('; '));
    this.errors = errors;
  }
}

/** One wrong field. */
export const invalid = (field: string, message: string) => new AdminInputError([{ field, message }]);

function asAdminError(caught: unknown): BrokerError {
  if (caught instanceof BrokerError) return caught;
  const status = (caught as { status?: unknown } | null)?.status;
  if (status === 413) return new BrokerError('form_too_large', undefined, { cause: caught });
  if (typeof status === 'number' && status < 500) return new AdminInputError([{ field: '', message: (caught as Error).message }]);
  return asBrokerError(caught);
}

export function adminErrors(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (caught) {
      const err = asAdminError(caught);
      const locale = negotiateLocale({ acceptLanguage: ctx.get('accept-language') });
      ctx.status = err.status;
      if (err.status === 401) ctx.set('www-authenticate', 'Bearer realm="brygga-admin", error="invalid_token"');
      ctx.body = { ...err.toJSON(locale), ...(err instanceof AdminInputError ? { errors: err.errors } : {}) };
      if (err.status >= 500) logger.error({ requestId: ctx.state.requestId, path: ctx.path, err: caught }, 'admin api request failed');
    }
  };
}
