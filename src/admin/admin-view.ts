/** A console admin as the admin API and its audit trail show it: nothing derived from the personal number. */
import type { AdminRecord } from '../storage/admins.ts';

export function adminView(a: AdminRecord): Record<string, unknown> {
  return {
    id: a.id,
    display_name: a.displayName,
    role: a.role,
    tenant_id: a.tenantId,
    created_at: a.createdAt.toISOString(),
    updated_at: a.updatedAt.toISOString(),
  };
}
