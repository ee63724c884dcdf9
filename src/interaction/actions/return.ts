/** GET /interaction/:uid/return — BankID's same-device return: the order's nonce, from the same browser. */
import { BrokerError } from '../../errors/catalogue.ts';
import { singleParam } from '../../http/params.ts';
import { browserBinding } from '../browser.ts';
import { interactionOf, type Action } from '../context.ts';

export const sameDeviceReturn: Action = (deps) => async (ctx) => {
  const d = interactionOf(ctx);
  const nonce = singleParam(ctx, 'nonce') ?? '';
  if (!(await deps.orders.verifyReturn(d.uid, nonce, browserBinding(ctx)))) {
    throw new BrokerError('return_mismatch', 'same-device return with a wrong nonce or from another browser');
  }
  ctx.status = 303;
  ctx.redirect(`/interaction/${d.uid}`);
};
