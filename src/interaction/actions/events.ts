/**
 * GET /interaction/:uid/events — the waiting page's status stream, as a WebSocket when the request asks for one
 * (Node then lets go of the connection's HTTP state: ~10 KB less per waiting person) or as Server-Sent Events: the
 * status poll's JSON (without the QR image) at once, a fresh QR frame every second, every change of state as it
 * happens, and the end after a final state. The same checks as the status poll, once when the stream opens; the
 * process's stream hub does the rest.
 */
import { detectDevice } from '../../bankid/launch.ts';
import { BrokerError } from '../../errors/catalogue.ts';
import { EventStreamResponse } from '../../http/event-stream.ts';
import { isUpgrade, takeUpgrade } from '../../http/websocket.ts';
import { browserBinding, holdsInteraction } from '../browser.ts';
import { localeOf, stateOf, type Action } from '../context.ts';

/** When a full process asks the page to try its stream again; it polls meanwhile. */
const BUSY_RETRY_S = 10;
/** An event stream's browser connects again after this long when it breaks (the page may poll instead). */
const RETRY_MS = 3000;

export const orderEvents: Action = (deps) => {
  const origin = new URL(deps.config.http.issuer).origin;
  return async (ctx) => {
    const { uid } = stateOf(ctx);
    const upgrade = isUpgrade(ctx.req);
    // A browser sends cookies with a WebSocket from any page: only the broker's own pages may open one.
    if (upgrade && ctx.get('origin') !== origin) throw new BrokerError('stream_foreign_origin', `WebSocket from another origin (${ctx.get('origin') || 'none'})`);
    if (!holdsInteraction(ctx, deps.provider(), uid)) throw new BrokerError('login_not_in_browser');
    if (deps.streams.full) throw new BrokerError('busy', 'too many open status streams', { retryAfterS: BUSY_RETRY_S });
    const order = await deps.orders.watch(uid, browserBinding(ctx));
    if (!order) throw new BrokerError('order_not_found');
    const view = { mobile: detectDevice(ctx.get('user-agent')).mobile, locale: localeOf(ctx) };
    // The stream outlives this handler: koa leaves the response to the hub.
    ctx.respond = false;
    if (upgrade) {
      ctx.status = 101;
      deps.streams.open(takeUpgrade(ctx.req, ctx.res)!, order, view);
      return;
    }
    ctx.req.socket.setTimeout(0);
    ctx.req.socket.setNoDelay(true);
    ctx.res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    deps.streams.open(new EventStreamResponse(ctx.res, RETRY_MS), order, view);
  };
};
