/** GET /admin/api/tenants — the tenants the caller sees, in id order, filtered, a page at a time. */
import { TenantRepository } from '../../../storage/tenants.ts';
import { adminOf, type Action } from '../../context.ts';
import { keyOf, pageOf } from '../../paging.ts';
import type { TenantListQuery } from '../../schemas/tenant.ts';
import { tenantView } from '../../tenant-view.ts';

export const listTenants: Action = (deps) => async (ctx) => {
  const { principal, query } = adminOf<unknown, TenantListQuery>(ctx);
  const rows = await new TenantRepository(deps.db).page({
    tenants: principal.tenants,
    search: query.q,
    after: keyOf(query.cursor, /^[\s\S]{1,64}$/),
    limit: query.limit + 1,
  });
  ctx.body = pageOf(rows, query.limit, (t) => t.id, tenantView);
};
