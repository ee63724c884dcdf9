/** GET /admin/api/tenants/:tenant_id/certificates — the tenant's certificates, the active one first. */
import { certificateView } from '../../certificate-view.ts';
import { adminOf, type Action } from '../../context.ts';
import { visibleTenant } from '../tenants/visible.ts';

export const listCertificates: Action = (deps) => async (ctx) => {
  const tenant = await visibleTenant(deps.db, adminOf(ctx).principal, ctx.params.tenant_id!);
  ctx.body = { items: (await deps.certificates.list(tenant.id)).map(certificateView) };
};
