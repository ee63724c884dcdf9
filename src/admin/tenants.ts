/** What the admin API needs to know of tenants: whether one exists (the tenants table, migration 0010). */
import type { TenantRepository } from '../storage/tenants.ts';

export interface TenantDirectory {
  exists(tenantId: string): Promise<boolean>;
}

export function tenantDirectory(tenants: TenantRepository): TenantDirectory {
  return { exists: async (tenantId) => (await tenants.find(tenantId)) !== undefined };
}
