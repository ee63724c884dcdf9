/**
 * What the admin API needs to know of tenants: whether one exists. Until tenants have their own table every client
 * belongs to the default tenant; the tenants store takes this interface's place then.
 */
import { DEFAULT_TENANT } from './principal.ts';

export interface TenantDirectory {
  exists(tenantId: string): Promise<boolean>;
}

export const defaultTenantOnly: TenantDirectory = {
  exists: async (tenantId) => tenantId === DEFAULT_TENANT,
};
