/**
 * A certificate of a tenant the caller may see, or 404 (another tenant's certificate, or one under another tenant's
 * path, is "not found"); and an upload's refusal as field errors naming the reason.
 */
import type { CertificateView } from '../../../certificates/service.ts';
import { CertificateRejectedError } from '../../../certificates/errors.ts';
import { BrokerError } from '../../../errors/catalogue.ts';
import type { Db } from '../../../storage/database.ts';
import type { AdminDeps } from '../../context.ts';
import { AdminInputError } from '../../errors.ts';
import type { Principal } from '../../principal.ts';
import { visibleTenant } from '../tenants/visible.ts';

export async function visibleCertificate(deps: AdminDeps, db: Db, principal: Principal, tenantId: string, fingerprint: string): Promise<CertificateView> {
  await visibleTenant(db, principal, tenantId);
  const view = await deps.certificates.within(db).show(fingerprint).catch((err: unknown) => {
    if (err instanceof BrokerError && err.code === 'certificate_unknown') return undefined;
    throw err;
  });
  if (view?.tenantId !== tenantId) throw new BrokerError('admin_not_found', `no certificate ${fingerprint} for tenant ${tenantId}`);
  return view;
}

/** Runs an upload step; a refused certificate becomes a 400 on the field at fault, with the reason for the admin. */
export async function refusedAsFields<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof CertificateRejectedError)) throw err;
    // Which tenant holds it is not for every caller to learn.
    if (err.reason === 'already-stored') throw new BrokerError('admin_conflict', 'this certificate is already stored');
    throw new AdminInputError([{ field: err.reason === 'wrong-passphrase' ? 'passphrase' : 'pkcs12', message: `${err.message} (${err.reason})` }]);
  }
}
