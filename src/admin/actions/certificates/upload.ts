/**
 * POST /admin/api/tenants/:tenant_id/certificates — a PKCS#12 checked (passphrase, key, validity, environment, and a
 * live call to BankID with it) outside any transaction, then staged with its audit row. The passphrase is not kept.
 */
import { certificateView } from '../../certificate-view.ts';
import { commitChange } from '../../change.ts';
import { adminOf, type Action } from '../../context.ts';
import { assertMayChange } from '../../principal.ts';
import type { CertificateUpload } from '../../schemas/certificate.ts';
import { visibleTenant } from '../tenants/visible.ts';
import { refusedAsFields } from './visible.ts';

export const uploadCertificate: Action = (deps) => async (ctx) => {
  const { principal, body } = adminOf<CertificateUpload>(ctx);
  const tenant = await visibleTenant(deps.db, principal, ctx.params.tenant_id!);
  // Before BankID is asked anything on the tenant's behalf.
  assertMayChange(principal, tenant.id);
  const checked = await refusedAsFields(() => deps.certificates.check({ tenantId: tenant.id, pkcs12: Buffer.from(body.pkcs12, 'base64'), passphrase: body.passphrase }));
  const staged = await commitChange(deps, ctx, async (trx) => {
    const view = await refusedAsFields(() => deps.certificates.within(trx).stage(checked));
    return { change: { tenantId: tenant.id, action: 'create', objectType: 'certificate', objectId: view.fingerprint, before: null, after: certificateView(view) }, result: view };
  });
  ctx.status = 201;
  ctx.body = certificateView(staged);
};
