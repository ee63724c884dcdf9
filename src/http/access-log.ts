/**
 * One structured log line per request with its request id (request-id.ts): `request` when it went well, `request
 * failed` (with the error that was thrown, if any) otherwise, at error level for the broker's own failures. The path
 * without its query and never a body: those carry codes, tokens and personal numbers. Probes that pass log at debug.
 */
import type { Middleware } from 'koa';
import type { Logger } from '../observability/logger.ts';
import { routeOf } from './metrics.ts';

declare module 'koa' {
  interface DefaultState {
    /** What a failed request threw, for its log line (set by errorPages, which answers it). */
    failure?: unknown;
  }
}

const PROBES = new Set(['/healthz', '/readyz']);

export function accessLog(logger: Logger): Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    let escaped = false;
    try {
      await next();
    } catch (err) {
      escaped = true; // koa answers it with 500
      ctx.state.failure = err;
      throw err;
    } finally {
      const status = escaped ? 500 : ctx.status;
      const line = {
        requestId: ctx.state.requestId, method: ctx.method, path: ctx.path, route: routeOf(ctx), status,
        durationMs: Math.round(performance.now() - started),
        ...(ctx.state.failure === undefined ? {} : { err: ctx.state.failure }),
      };
      if (status >= 500) logger.error(line, 'request failed');
      else if (status >= 400) logger.info(line, 'request failed');
      else if (PROBES.has(ctx.path)) logger.debug(line, 'request');
      else logger.info(line, 'request');
    }
  };
}
