/** POST /admin/api/tenants/:tenant_id/certificates/rollback — re-activates the tenant's most recently retired certificate. */
import { certificateView } from '../../certificate-view.ts';
import { commitChange } from '../../change.ts';
import { adminOf, type Action } from '../../context.ts';
import { visibleTenant } from '../tenants/visible.ts';

export const rollbackCertificate: Action = (deps) => async (ctx) => {
  const { principal } = adminOf(ctx);
  const active = await commitChange(deps, ctx, async (trx) => {
    const tenant = await visibleTenant(trx, principal, ctx.params.tenant_id!);
    const view = await deps.certificates.within(trx).rollback(tenant.id);
    return { change: { tenantId: tenant.id, action: 'rollback', objectType: 'certificate', objectId: view.fingerprint, before: null, after: certificateView(view) }, result: view };
  });
  ctx.body = certificateView(active);
};
