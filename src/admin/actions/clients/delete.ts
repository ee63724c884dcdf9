/** DELETE /admin/api/clients/:client_id — removes the client; its tokens fail from then on (the client is unknown). */
import { commitChange } from '../../change.ts';
import { clientAuditView } from '../../client-view.ts';
import { adminOf, type Action } from '../../context.ts';
import { visibleClient } from './visible.ts';

export const deleteClient: Action = (deps) => async (ctx) => {
  const { principal } = adminOf(ctx);
  const clientId = ctx.params.client_id!;
  await commitChange(deps, ctx, async (trx) => {
    const locked = await visibleClient(deps, trx, principal, clientId, true);
    await deps.clients.remove(trx, clientId);
    return { change: { tenantId: locked.tenantId, action: 'delete', objectType: 'client', objectId: clientId, before: clientAuditView(locked.tenantId, locked.metadata), after: null }, result: undefined };
  });
  deps.forgetClient(clientId);
  ctx.status = 204;
};
