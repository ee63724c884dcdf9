/**
 * Times every request for the metrics by its route pattern (bounded), and serves /metrics in Prometheus format on a
 * listener of its own: the metrics name clients and tenants, and the public port is what the ingress exposes.
 */
import { createServer, type Server } from 'node:http';
import type Koa from 'koa';
import type { Metrics } from '../observability/metrics.ts';

/** The pattern that answered: @koa/router's matched route, else oidc-provider's route name, else `other`. */
export function routeOf(ctx: Koa.Context): string {
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

/** The metrics listener: `GET /metrics` and nothing else. Resolves once it listens. */
export async function startMetricsServer(metrics: Metrics, host: string, port: number, portInUse: (err: NodeJS.ErrnoException) => Error): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || new URL(req.url ?? '/', 'http://metrics').pathname !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not Found: only GET /metrics is served here\n');
      return;
    }
    metrics.registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' }).end(body),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`metrics failed: ${err.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(portInUse(err)));
    server.listen(port, host, () => resolve());
  });
  return server;
}
