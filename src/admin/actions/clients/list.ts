/** GET /admin/api/clients — the caller's clients in id order, filtered, a page at a time. */
import { clientView } from '../../client-view.ts';
import { adminOf, type Action } from '../../context.ts';
import { keyOf, pageOf } from '../../paging.ts';
import type { ClientListQuery } from '../../schemas/client.ts';

export const listClients: Action = (deps) => async (ctx) => {
  const { principal, query } = adminOf<unknown, ClientListQuery>(ctx);
  const rows = await deps.clients.list(deps.db, {
    tenants: principal.tenants,
    tenantId: query.tenant_id,
    search: query.q,
    after: keyOf(query.cursor, /^[\s\S]{1,512}$/),
    limit: query.limit + 1,
  });
  ctx.body = pageOf(rows, query.limit, (r) => r.clientId, clientView);
};
