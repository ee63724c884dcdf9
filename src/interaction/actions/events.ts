/**
 * GET /interaction/:uid/events — the waiting page's Server-Sent Events stream: the status poll's JSON (without the
 * QR image) at once, a fresh QR frame every second, every change of state as it happens, and the end after a final
 * state. The same checks as the status poll, once when the stream opens; the process's stream hub does the rest.
 */
import { detectDevice } from '../../bankid/launch.ts';
import { BrokerError } from '../../errors/catalogue.ts';
import { browserBinding, holdsInteraction } from '../browser.ts';
import { localeOf, stateOf, type Action } from '../context.ts';

/** When a full process asks the page to try its stream again; it polls meanwhile. */
const BUSY_RETRY_S = 10;

export const orderEvents: Action = (deps) => async (ctx) => {
  const { uid } = stateOf(ctx);
  if (!holdsInteraction(ctx, deps.provider(), uid)) throw new BrokerError('login_not_in_browser');
  if (deps.streams.full) throw new BrokerError('busy', 'too many open status streams', { retryAfterS: BUSY_RETRY_S });
  const order = await deps.orders.watch(uid, browserBinding(ctx));
  if (!order) throw new BrokerError('order_not_found');
  // The stream outlives this handler: koa leaves the response to the hub.
  ctx.respond = false;
  ctx.req.socket.setTimeout(0);
  ctx.req.socket.setNoDelay(true);
  ctx.res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-accel-buffering': 'no',
  });
  deps.streams.open(ctx.res, order, { mobile: detectDevice(ctx.get('user-agent')).mobile, locale: localeOf(ctx) });
};
