/**
 * GET /interaction/:uid/status — the page script's poll: state, BankID's message and the current QR frame.
 * Cheap on purpose: no interaction lookup; the interaction cookie must name this uid and the order this browser.
 */
import { detectDevice } from '../../bankid/launch.ts';
import { BrokerError } from '../../errors/catalogue.ts';
import { browserBinding } from '../browser.ts';
import { localeOf, stateOf, type Action } from '../context.ts';
import { messageForState } from '../messages.ts';

export const orderStatus: Action = (deps) => async (ctx) => {
  const { uid } = stateOf(ctx);
  if (ctx.cookies.get('_interaction', { signed: true }) !== uid) throw new BrokerError('login_not_in_browser');
  const state = await deps.orders.status(uid, browserBinding(ctx));
  if (!state) throw new BrokerError('order_not_found');
  const pending = state.state === 'pending';
  ctx.body = {
    state: state.state,
    hintCode: state.state === 'complete' ? undefined : state.hintCode,
    // Why the broker gave the order up (BankID's errorCode, or `transport` when BankID did not answer).
    errorCode: state.state === 'failed' ? state.errorCode : undefined,
    message: state.state === 'complete' ? '' : messageForState(state, detectDevice(ctx.get('user-agent')).mobile, localeOf(ctx)),
    // The page draws the QR code from this string (views/assets/qr.js); tools and tests read it here.
    qr: pending ? state.qr : undefined,
  };
};
