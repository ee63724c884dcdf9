/** A tenant the caller may see, or 404: another tenant is "not found", never "forbidden". */
import { BrokerError } from '../../../errors/catalogue.ts';
import type { AdminDeps } from '../../context.ts';
import { seesTenant, type Principal } from '../../principal.ts';

export async function visibleTenant(deps: AdminDeps, principal: Principal, tenantId: string): Promise<string> {
  if (!seesTenant(principal, tenantId) || !(await deps.tenants.exists(tenantId))) throw new BrokerError('admin_not_found', `no tenant ${tenantId} for ${principal.actor}`);
  return tenantId;
}
