/** GET /admin/api/admins — the admins the caller sees, in id order, filtered, a page at a time. */
import { adminView } from '../../admin-view.ts';
import { adminOf, type Action } from '../../context.ts';
import { keyOf, pageOf } from '../../paging.ts';
import type { AdminListQuery } from '../../schemas/admin.ts';

export const listAdmins: Action = (deps) => async (ctx) => {
  const { principal, query } = adminOf<unknown, AdminListQuery>(ctx);
  const rows = await deps.admins.list(deps.db, {
    tenants: principal.tenants,
    tenantId: query.tenant_id,
    role: query.role,
    search: query.q,
    after: keyOf(query.cursor, /^[\w-]{1,64}$/),
    limit: query.limit + 1,
  });
  ctx.body = pageOf(rows, query.limit, (a) => a.id, adminView);
};
