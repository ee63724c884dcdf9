/**
 * Loads the interaction of this browser; oidc-provider's interaction cookie must name the uid in the path. The same
 * statement polls the interaction's latest order for the handler, and counts an order start's rate limits.
 */
import type { Context } from 'koa';
import { errors } from 'oidc-provider';
import { BrokerError } from '../../errors/catalogue.ts';
import type { StartCounters } from '../../storage/interaction-context.ts';
import { holdsInteraction } from '../browser.ts';
import { stateOf, type Action } from '../context.ts';

/** `render`: the handler renders the order's page; `starts`: it starts an order, counted with these counters. */
export const loadInteraction = (render = false, starts?: (ctx: Context, uid: string) => StartCounters): Action => (deps) => async (ctx, next) => {
  const state = stateOf(ctx);
  const provider = deps.provider();
  // Only this login's browser (oidc-provider's signed cookie names the uid) polls and counts its order; anyone else
  // gets the error below from oidc-provider's own check and leaves the order as it was.
  if (holdsInteraction(ctx, provider, state.uid)) {
    // Marked before the statement is sent: a change racing it is noticed when the page's stream opens.
    if (render) deps.orders.beforeRender(state.uid);
    state.startCounts = await deps.loadWithOrder(state.uid, render, starts?.(ctx, state.uid));
  }
  try {
    const found = await provider.interactionDetails(ctx.req, ctx.res);
    if (found.uid !== state.uid) throw new errors.SessionNotFound('interaction mismatch');
    state.interaction = found;
  } catch (err) {
    if (err instanceof errors.SessionNotFound) throw new BrokerError('interaction_expired', err.message, { cause: err });
    throw err;
  }
  await next();
};
