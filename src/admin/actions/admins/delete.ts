/** DELETE /admin/api/admins/:admin_id — the admin can no longer sign in to the console. */
import { adminView } from '../../admin-view.ts';
import { commitChange } from '../../change.ts';
import { adminOf, type Action } from '../../context.ts';
import { visibleAdmin } from './visible.ts';

export const deleteAdmin: Action = (deps) => async (ctx) => {
  const { principal } = adminOf(ctx);
  const id = ctx.params.admin_id!;
  await commitChange(deps, ctx, async (trx) => {
    const locked = await visibleAdmin(deps, trx, principal, id, true);
    await deps.admins.remove(trx, id);
    return { change: { tenantId: locked.tenantId, action: 'delete', objectType: 'admin', objectId: id, before: adminView(locked), after: null }, result: undefined };
  });
  ctx.status = 204;
};
