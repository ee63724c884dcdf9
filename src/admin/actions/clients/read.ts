/** GET /admin/api/clients/:client_id — one client with every setting (never its secret). */
import { clientView } from '../../client-view.ts';
import { adminOf, type Action } from '../../context.ts';
import { visibleClient } from './visible.ts';

export const readClient: Action = (deps) => async (ctx) => {
  ctx.body = clientView(await visibleClient(deps, deps.db, adminOf(ctx).principal, ctx.params.client_id!));
};
