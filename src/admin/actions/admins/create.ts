/** POST /admin/api/admins — a console admin; broker admins only with the `admin` scope, a tenant's by its own admins too. */
import { adminView } from '../../admin-view.ts';
import { commitChange } from '../../change.ts';
import { adminOf, type Action } from '../../context.ts';
import { onlyTenant } from '../../principal.ts';
import type { AdminCreate } from '../../schemas/admin.ts';
import { alreadyAdmin, checkedFields } from './visible.ts';

export const createAdmin: Action = (deps) => async (ctx) => {
  const { principal, body } = adminOf<AdminCreate>(ctx);
  const tenantId = body.tenant_id !== undefined ? body.tenant_id : body.role === 'broker_admin' ? null : onlyTenant(principal) ?? null;
  const fields = await checkedFields(deps, principal, { displayName: body.display_name, role: body.role, tenantId });
  const admin = await commitChange(deps, ctx, async (trx) => {
    const created = await deps.admins.insert(trx, body.personal_number, fields);
    if (!created) throw alreadyAdmin(fields.tenantId);
    return { change: { tenantId: created.tenantId, action: 'create', objectType: 'admin', objectId: created.id, before: null, after: adminView(created) }, result: created };
  });
  ctx.status = 201;
  ctx.body = adminView(admin);
};
