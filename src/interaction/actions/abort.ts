/** POST /interaction/:uid/abort — the person cancels: the order is cancelled at BankID, the client gets access_denied. */
import { browserBinding } from '../browser.ts';
import { finish, interactionOf, type Action } from '../context.ts';

export const abortLogin: Action = (deps) => async (ctx) => {
  const d = interactionOf(ctx);
  await deps.orders.cancelFor(d.uid, browserBinding(ctx));
  await finish(deps, ctx, { error: 'access_denied', error_description: 'The user cancelled the login.' });
};
