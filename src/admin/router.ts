/**
 * `/admin/api`: JSON in and out, never cached; each operation of the route table behind the shared steps
 * (errors as JSON, authentication, input checked against its schemas).
 */
import Router from '@koa/router';
import type { Middleware } from 'koa';
import { authenticate } from './authenticate.ts';
import type { AdminDeps, AdminState } from './context.ts';
import { adminErrors } from './errors.ts';
import { checkInput } from './input.ts';
import { ADMIN_PREFIX } from './openapi.ts';
import { assertMayChangeSomething } from './principal.ts';
import { ADMIN_ROUTES } from './routes.ts';

export type { AdminDeps } from './context.ts';

const noStore: Middleware = async (ctx, next) => {
  ctx.set('cache-control', 'no-store');
  await next();
};

const anonymous: Middleware = async (ctx, next) => {
  ctx.state.admin = {} as AdminState;
  await next();
};

/** A read-only caller is refused before its change is even read. */
const changing: Middleware = async (ctx, next) => {
  assertMayChangeSomething((ctx.state.admin as AdminState).principal);
  await next();
};

export function adminRouter(deps: AdminDeps): Router {
  const router = new Router({ prefix: ADMIN_PREFIX });
  const errors = adminErrors(deps.logger);
  const auth = authenticate(deps);
  for (const route of ADMIN_ROUTES) {
    const guard = route.public ? [anonymous] : route.method === 'get' ? [auth] : [auth, changing];
    router[route.method](route.path, noStore, errors, ...guard, checkInput(route), route.action(deps));
  }
  return router;
}
