/** GET /admin/api/tenants/:tenant_id — one tenant with its policy. */
import { adminOf, type Action } from '../../context.ts';
import { tenantView } from '../../tenant-view.ts';
import { visibleTenant } from './visible.ts';

export const readTenant: Action = (deps) => async (ctx) => {
  ctx.body = tenantView(await visibleTenant(deps.db, adminOf(ctx).principal, ctx.params.tenant_id!));
};
