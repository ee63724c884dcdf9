/**
 * GET /interaction/:uid/status — the page script's poll (the fallback when the event stream is refused): state,
 * BankID's message and the current QR frame. Cheap on purpose: no interaction lookup; the interaction cookie must
 * name this uid and the order this browser.
 */
import { detectDevice } from '../../bankid/launch.ts';
import { BrokerError } from '../../errors/catalogue.ts';
import { browserBinding, holdsInteraction } from '../browser.ts';
import { localeOf, stateOf, type Action } from '../context.ts';
import { orderJson } from '../order-json.ts';

export const orderStatus: Action = (deps) => async (ctx) => {
  const { uid } = stateOf(ctx);
  if (!holdsInteraction(ctx, deps.provider(), uid)) throw new BrokerError('login_not_in_browser');
  const state = await deps.orders.status(uid, browserBinding(ctx));
  if (!state) throw new BrokerError('order_not_found');
  ctx.body = orderJson(state, detectDevice(ctx.get('user-agent')).mobile, localeOf(ctx));
};
