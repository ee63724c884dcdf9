/**
 * PATCH /admin/api/admins/:admin_id — name, role and tenant (what is left out stays). Whoever changes it must be
 * allowed to change admins both where it was and where it goes; written only if nobody changed it meanwhile.
 */
import { BrokerError } from '../../../errors/catalogue.ts';
import { adminView } from '../../admin-view.ts';
import { commitChange } from '../../change.ts';
import { adminOf, type Action } from '../../context.ts';
import { assertMayChange } from '../../principal.ts';
import type { AdminPatch } from '../../schemas/admin.ts';
import { alreadyAdmin, checkedFields, visibleAdmin } from './visible.ts';

export const updateAdmin: Action = (deps) => async (ctx) => {
  const { principal, body } = adminOf<AdminPatch>(ctx);
  const id = ctx.params.admin_id!;
  const current = await visibleAdmin(deps, deps.db, principal, id);
  const fields = await checkedFields(deps, principal, {
    displayName: body.display_name ?? current.displayName,
    role: body.role ?? current.role,
    tenantId: body.tenant_id !== undefined ? body.tenant_id : current.tenantId,
  });
  const admin = await commitChange(deps, ctx, async (trx) => {
    const locked = await visibleAdmin(deps, trx, principal, id, true);
    if (locked.updatedAt.getTime() !== current.updatedAt.getTime()) throw new BrokerError('admin_conflict', `admin ${id} changed meanwhile`);
    assertMayChange(principal, fields.tenantId);
    if (!(await deps.admins.update(trx, id, fields))) throw alreadyAdmin(fields.tenantId);
    const updated = (await deps.admins.get(trx, id))!;
    return { change: { tenantId: locked.tenantId, action: 'update', objectType: 'admin', objectId: id, before: adminView(locked), after: adminView(updated) }, result: updated };
  });
  ctx.body = adminView(admin);
};
