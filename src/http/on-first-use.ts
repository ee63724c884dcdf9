/**
 * Routes that only operators use (the admin API, the console), loaded by the first request under their path: until
 * then their modules (route table, schemas, OpenAPI document, pages) take no memory in a broker that serves logins.
 */
import type { Middleware } from 'koa';

// Any context: a router's middleware expects the params it adds itself.
type Loaded = Middleware<any, any>;

export function loadedOnFirstUse(path: string, load: () => Promise<Loaded>): Middleware {
  let loaded: Promise<Loaded> | undefined;
  return async (ctx, next) => {
    if (ctx.path !== path && !ctx.path.startsWith(`${path}/`)) return next();
    loaded ??= load();
    return (await loaded)(ctx, next);
  };
}
