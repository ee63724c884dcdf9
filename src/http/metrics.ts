/** Times every request for the metrics by its route pattern (bounded), and serves /metrics in Prometheus format. */
import type Koa from 'koa';
import type { Metrics } from '../observability/metrics.ts';

/** The pattern that answered: @koa/router's matched route, else oidc-provider's route name, else `other`. */
function routeOf(ctx: Koa.Context): string {
  const matched = (ctx as { _matchedRoute?: unknown })._matchedRoute;
  if (typeof matched === 'string') return matched;
  const oidcRoute = (ctx as { oidc?: { route?: unknown } }).oidc?.route;
  return typeof oidcRoute === 'string' ? `oidc:${oidcRoute}` : 'other';
}

export function requestMetrics(metrics: Metrics): Koa.Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      metrics.observeRequest(routeOf(ctx), ctx.method, ctx.status, (performance.now() - started) / 1000);
    }
  };
}

export function metricsRoute(metrics: Metrics): Koa.Middleware {
  return async (ctx, next) => {
    if (ctx.path !== '/metrics' || ctx.method !== 'GET') return next();
    ctx.set('cache-control', 'no-store');
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  };
}
