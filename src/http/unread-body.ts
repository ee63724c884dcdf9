/**
 * A request answered before its body was read to the end (a 413, a route that takes no body, an early error) leaves
 * the rest of the body on the connection. Node reads and drops it after the response so the connection can carry
 * the next request; that is worth it only for a small remainder. A large or unknown one (chunked) gets
 * `Connection: close` instead, so the connection ends after the response rather than stay busy with an upload.
 */
import type { Context, Middleware } from 'koa';

const DRAIN_LIMIT = 64 * 1024;

/** Lets the rest of an unread body drain; true when the connection should close after this response. */
function settle(ctx: Context): boolean {
  if (ctx.req.complete) return false;
  ctx.req.resume(); // drop the rest as it arrives, whichever way the connection goes on
  const length = ctx.request.length;
  return length === undefined || length > DRAIN_LIMIT;
}

export const settleUnreadBody: Middleware = async (ctx, next) => {
  try {
    await next();
  } catch (err) {
    // koa replaces the response headers with the error's own.
    if (settle(ctx) && err instanceof Error) Object.assign(err, { headers: { ...(err as { headers?: object }).headers, connection: 'close' } });
    throw err;
  }
  if (settle(ctx)) ctx.set('connection', 'close');
};
