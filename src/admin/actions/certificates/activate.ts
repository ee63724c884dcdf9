/**
 * POST /admin/api/tenants/:tenant_id/certificates/:fingerprint/activate — the tenant's next orders use it, on every
 * replica at once; the one active before is retired (kept for a rollback).
 */
import { certificateView } from '../../certificate-view.ts';
import { commitChange } from '../../change.ts';
import { adminOf, type Action } from '../../context.ts';
import { visibleCertificate } from './visible.ts';

export const activateCertificate: Action = (deps) => async (ctx) => {
  const { principal } = adminOf(ctx);
  const tenantId = ctx.params.tenant_id!;
  const active = await commitChange(deps, ctx, async (trx) => {
    const before = await visibleCertificate(deps, trx, principal, tenantId, ctx.params.fingerprint!);
    const after = await deps.certificates.within(trx).activate(before.fingerprint);
    return { change: { tenantId, action: 'activate', objectType: 'certificate', objectId: before.fingerprint, before: certificateView(before), after: certificateView(after) }, result: after };
  });
  ctx.body = certificateView(active);
};
