/** A stored client as the admin API shows it, and as the audit trail records it (neither ever holds a secret). */
import type { AdminClientRow } from '../storage/client-admin.ts';

export function clientView(row: AdminClientRow): Record<string, unknown> {
  const { client_id: _id, client_secret: _secret, ...metadata } = row.metadata;
  return {
    client_id: row.clientId,
    tenant_id: row.tenantId,
    ...metadata,
    has_secret: row.hasSecret,
    previous_secret_expires_at: row.previousSecretExpiresAt?.toISOString() ?? null,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

/** What the audit trail keeps of a client: its tenant and settings. */
export function clientAuditView(tenantId: string, metadata: Record<string, unknown>): Record<string, unknown> {
  const { client_secret: _secret, ...settings } = metadata;
  return { tenant_id: tenantId, ...settings };
}
