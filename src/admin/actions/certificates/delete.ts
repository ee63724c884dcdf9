/** DELETE /admin/api/tenants/:tenant_id/certificates/:fingerprint — a staged or retired certificate and its key; never the active one. */
import { certificateView } from '../../certificate-view.ts';
import { commitChange } from '../../change.ts';
import { adminOf, type Action } from '../../context.ts';
import { visibleCertificate } from './visible.ts';

export const deleteCertificate: Action = (deps) => async (ctx) => {
  const { principal } = adminOf(ctx);
  const tenantId = ctx.params.tenant_id!;
  await commitChange(deps, ctx, async (trx) => {
    const before = await visibleCertificate(deps, trx, principal, tenantId, ctx.params.fingerprint!);
    await deps.certificates.within(trx).remove(before.fingerprint);
    return { change: { tenantId, action: 'delete', objectType: 'certificate', objectId: before.fingerprint, before: certificateView(before), after: null }, result: undefined };
  });
  ctx.status = 204;
};
