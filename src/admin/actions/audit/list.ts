/** GET /admin/api/audit — changes, newest first, filtered by object, actor and time; a tenant admin sees its tenants'. */
import { listAudit, type AuditRecord } from '../../../storage/audit.ts';
import { adminOf, type Action } from '../../context.ts';
import { keyOf, pageOf } from '../../paging.ts';
import type { AuditQueryInput } from '../../schemas/audit.ts';

const view = (r: AuditRecord) => ({
  id: r.id, at: r.at.toISOString(), actor: r.actor, tenant_id: r.tenantId, action: r.action,
  object_type: r.objectType, object_id: r.objectId, before: r.before, after: r.after, request_id: r.requestId,
});

export const listAuditEntries: Action = (deps) => async (ctx) => {
  const { principal, query } = adminOf<unknown, AuditQueryInput>(ctx);
  const rows = await listAudit(deps.db, {
    tenants: principal.tenants,
    objectType: query.object_type,
    objectId: query.object_id,
    actor: query.actor,
    from: query.from === undefined ? undefined : new Date(query.from),
    to: query.to === undefined ? undefined : new Date(query.to),
    before: keyOf(query.cursor, /^\d{1,19}$/),
    limit: query.limit + 1,
  });
  ctx.body = pageOf(rows, query.limit, (r) => r.id, view);
};
