/**
 * POST /interaction/:uid/cancel-order — the QR page's beacon as it goes away. A reload or a language switch comes
 * straight back, so the order is only marked as left: it is cancelled if no poll follows within the grace. The
 * beacon names the page it left (`page`, the number the render gave it), so a late one of a replaced page does nothing.
 */
import { BrokerError } from '../../errors/catalogue.ts';
import { browserBinding } from '../browser.ts';
import { stateOf, type Action } from '../context.ts';

export const cancelOrder: Action = (deps) => async (ctx) => {
  const { uid, form } = stateOf(ctx);
  const page = form!.page;
  if (page !== undefined && !/^\d{1,9}$/.test(page)) throw new BrokerError('request_invalid', 'the beacon\'s page is not a page number');
  await deps.orders.leave(uid, browserBinding(ctx), page === undefined ? undefined : Number(page));
  ctx.status = 204;
};
