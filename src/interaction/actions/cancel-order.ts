/** POST /interaction/:uid/cancel-order — the page's beacon when a person leaves a QR page. */
import { browserBinding } from '../browser.ts';
import { stateOf, type Action } from '../context.ts';

export const cancelOrder: Action = (deps) => async (ctx) => {
  await deps.orders.cancelFor(stateOf(ctx).uid, browserBinding(ctx));
  ctx.status = 204;
};
