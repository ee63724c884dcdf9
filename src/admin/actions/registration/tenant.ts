/** The tenant of an initial-access-token route, or 404: another tenant's tokens are "not found", never "forbidden". */
import { BrokerError } from '../../../errors/catalogue.ts';
import type { InitialAccessTokenRow } from '../../../storage/initial-access-tokens.ts';
import type { AdminDeps } from '../../context.ts';
import { seesTenant, type Principal } from '../../principal.ts';

export async function visibleTenant(deps: AdminDeps, principal: Principal, tenantId: string): Promise<string> {
  if (!seesTenant(principal, tenantId) || !(await deps.tenants.exists(tenantId))) throw new BrokerError('admin_not_found', `no tenant ${tenantId} for ${principal.actor}`);
  return tenantId;
}

/** A token as lists, answers and the audit trail show it: never the token itself. */
export const tokenView = (row: InitialAccessTokenRow) => ({
  id: row.id, tenant_id: row.tenantId, created_by: row.createdBy, created_at: row.createdAt.toISOString(), expires_at: row.expiresAt.toISOString(),
});
