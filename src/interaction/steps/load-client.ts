/** Finds the client the interaction is for (after `loadInteraction`). */
import { BrokerError } from '../../errors/catalogue.ts';
import { interactionOf, stateOf, type Action } from '../context.ts';

export const loadClient: Action = (deps) => async (ctx, next) => {
  const clientId = String(interactionOf(ctx).params.client_id);
  const found = await deps.provider().Client.find(clientId);
  if (!found) throw new BrokerError('client_unknown', `client ${clientId} is not registered`);
  stateOf(ctx).client = found;
  await next();
};
