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

export function adminRouter(deps: AdminDeps): Router {
  const router = new Router({ prefix: ADMIN_PREFIX });
  const errors = adminErrors(deps.logger);
  const auth = authenticate(deps);
  for (const route of ADMIN_ROUTES) {
    router[route.method](route.path, noStore, errors, route.public ? anonymous : auth, checkInput(route), route.action(deps));
  }
  return router;
}
