/** What the admin API needs to know of tenants (the tenants table, migration 0010): which exist, and their policy. */
import type { TenantRepository } from '../storage/tenants.ts';
import type { TenantPolicy } from '../tenants/policy.ts';

export interface TenantDirectory {
  exists(tenantId: string): Promise<boolean>;
  /** The policy a client of the tenant must stay within; undefined when there is no such tenant. */
  policy(tenantId: string): Promise<TenantPolicy | undefined>;
}

export function tenantDirectory(tenants: TenantRepository): TenantDirectory {
  return {
    exists: async (tenantId) => (await tenants.find(tenantId)) !== undefined,
    policy: async (tenantId) => (await tenants.find(tenantId))?.policy as TenantPolicy | undefined,
  };
}
