/** POST /admin/api/tenants — a new organisation (only with the `admin` scope); its values checked by the tenant service. */
import { TenantService } from '../../../tenants/service.ts';
import { commitChange } from '../../change.ts';
import { adminOf, type Action } from '../../context.ts';
import { assertMayChange } from '../../principal.ts';
import type { TenantCreate } from '../../schemas/tenant.ts';
import { tenantAuditView, tenantInput, tenantView, withApiFields } from '../../tenant-view.ts';

export const createTenant: Action = (deps) => async (ctx) => {
  const { principal, body } = adminOf<TenantCreate>(ctx);
  assertMayChange(principal, null);
  const tenant = await commitChange(deps, ctx, async (trx) => {
    const created = await withApiFields(() => new TenantService(trx).create(tenantInput(body)));
    return { change: { tenantId: created.id, action: 'create', objectType: 'tenant', objectId: created.id, before: null, after: tenantAuditView(created) }, result: created };
  });
  ctx.status = 201;
  ctx.body = tenantView(tenant);
};
