/** GET /admin/api/tenants/:tenant_id/certificates/:fingerprint — one certificate, its expiry and state. */
import { certificateView } from '../../certificate-view.ts';
import { adminOf, type Action } from '../../context.ts';
import { visibleCertificate } from './visible.ts';

export const readCertificate: Action = (deps) => async (ctx) => {
  ctx.body = certificateView(await visibleCertificate(deps, deps.db, adminOf(ctx).principal, ctx.params.tenant_id!, ctx.params.fingerprint!));
};
