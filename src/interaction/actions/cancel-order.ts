/**
 * POST /interaction/:uid/cancel-order — the QR page's beacon as it goes away. A reload or a language switch comes
 * straight back, so the order is only marked as left: it is cancelled if no poll follows within the grace.
 */
import { browserBinding } from '../browser.ts';
import { stateOf, type Action } from '../context.ts';

export const cancelOrder: Action = (deps) => async (ctx) => {
  await deps.orders.leave(stateOf(ctx).uid, browserBinding(ctx));
  ctx.status = 204;
};
