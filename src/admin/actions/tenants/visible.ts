/** A tenant the caller may see, or 404: another tenant is "not found", never "forbidden". */
import { BrokerError } from '../../../errors/catalogue.ts';
import type { Db } from '../../../storage/database.ts';
import { TenantRepository, type TenantRecord } from '../../../storage/tenants.ts';
import { seesTenant, type Principal } from '../../principal.ts';

export async function visibleTenant(db: Db, principal: Principal, tenantId: string, lock = false): Promise<TenantRecord> {
  const tenant = seesTenant(principal, tenantId) ? await new TenantRepository(db).find(tenantId, lock) : undefined;
  if (!tenant) throw new BrokerError('admin_not_found', `no tenant ${tenantId} for ${principal.actor}`);
  return tenant;
}
