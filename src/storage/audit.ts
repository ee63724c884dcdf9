/** The admin audit trail: written in the transaction of the change it records, read newest first. */
import { sql } from 'kysely';
import type { Db } from './database.ts';

export interface AuditEntry {
  actor: string;
  tenantId: string | null;
  action: string;
  objectType: string;
  objectId: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  requestId: string | null;
}

export interface AuditRecord extends AuditEntry {
  id: string;
  at: Date;
}

export interface AuditQuery {
  /** Only these tenants' rows (a tenant admin); undefined for all. */
  tenants?: readonly string[];
  objectType?: string;
  objectId?: string;
  actor?: string;
  from?: Date;
  to?: Date;
  /** Keyset paging: rows older than this id. */
  before?: string;
  limit: number;
}

export async function writeAudit(db: Db, entry: AuditEntry): Promise<void> {
  await db.insertInto('admin_audit').values({
    actor: entry.actor,
    tenant_id: entry.tenantId,
    action: entry.action,
    object_type: entry.objectType,
    object_id: entry.objectId,
    before: entry.before === null ? null : JSON.stringify(entry.before),
    after: entry.after === null ? null : JSON.stringify(entry.after),
    request_id: entry.requestId,
  }).execute();
}

export async function listAudit(db: Db, q: AuditQuery): Promise<AuditRecord[]> {
  if (q.tenants?.length === 0) return [];
  let query = db.selectFrom('admin_audit').selectAll().orderBy('id', 'desc').limit(q.limit);
  if (q.tenants) query = query.where('tenant_id', 'in', q.tenants);
  if (q.objectType) query = query.where('object_type', '=', q.objectType);
  if (q.objectId) query = query.where('object_id', '=', q.objectId);
  if (q.actor) query = query.where('actor', '=', q.actor);
  if (q.from) query = query.where('at', '>=', q.from);
  if (q.to) query = query.where('at', '<', q.to);
  if (q.before) query = query.where('id', '<', sql<string>`${q.before}::bigint`);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id, at: r.at, actor: r.actor, tenantId: r.tenant_id, action: r.action, objectType: r.object_type, objectId: r.object_id,
    before: r.before, after: r.after, requestId: r.request_id,
  }));
}
