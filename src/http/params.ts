/** Query parameters for Brygga's own routes (oidc-provider checks its own). */
import type { Context } from 'koa';

/**
 * The value of a query parameter that may appear once. koa turns a repeated parameter into an array; no route of
 * ours takes one, so a repeated (or missing) parameter is absent and the route uses its default.
 */
export function singleParam(ctx: Context, name: string): string | undefined {
  const value = ctx.query[name];
  return typeof value === 'string' ? value : undefined;
}
