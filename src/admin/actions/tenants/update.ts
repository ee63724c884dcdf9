/**
 * PATCH /admin/api/tenants/:tenant_id — a JSON merge patch of the tenant (its own tenant admin may too). The merged
 * tenant is checked as a whole, and written only if nobody changed it meanwhile. Clients saved under a wider policy
 * are narrowed when their settings are read.
 */
import { BrokerError } from '../../../errors/catalogue.ts';
import { TenantService } from '../../../tenants/service.ts';
import { commitChange } from '../../change.ts';
import { adminOf, type Action } from '../../context.ts';
import { mergePatch } from '../../merge-patch.ts';
import type { TenantPatch } from '../../schemas/tenant.ts';
import { tenantAuditView, tenantInput, tenantView, withApiFields } from '../../tenant-view.ts';
import { visibleTenant } from './visible.ts';

export const updateTenant: Action = (deps) => async (ctx) => {
  const { principal, body } = adminOf<TenantPatch>(ctx);
  const tenantId = ctx.params.tenant_id!;
  const current = await visibleTenant(deps.db, principal, tenantId);
  const input = tenantInput(mergePatch(tenantView(current), body));
  const tenant = await commitChange(deps, ctx, async (trx) => {
    const locked = await visibleTenant(trx, principal, tenantId, true);
    if (locked.updatedAt.getTime() !== current.updatedAt.getTime()) throw new BrokerError('admin_conflict', `tenant ${tenantId} changed meanwhile`);
    const updated = await withApiFields(() => new TenantService(trx).update(input));
    return { change: { tenantId, action: 'update', objectType: 'tenant', objectId: tenantId, before: tenantAuditView(locked), after: tenantAuditView(updated) }, result: updated };
  });
  ctx.body = tenantView(tenant);
};
