/** GET /admin/api/tenants/:tenant_id/initial-access-tokens — the tenant's tokens that still work, in id order. */
import { listInitialAccessTokens } from '../../../storage/initial-access-tokens.ts';
import { adminOf, type Action } from '../../context.ts';
import { keyOf, pageOf } from '../../paging.ts';
import type { TokenListQuery } from '../../schemas/registration.ts';
import { tokenView, visibleTenant } from './tenant.ts';

export const listInitialAccessTokensOf: Action = (deps) => async (ctx) => {
  const { principal, query } = adminOf<unknown, TokenListQuery>(ctx);
  const tenantId = await visibleTenant(deps, principal, ctx.params.tenant_id!);
  const rows = await listInitialAccessTokens(deps.db, tenantId, keyOf(query.cursor, /^iat_[\w-]{1,64}$/), query.limit + 1);
  ctx.body = pageOf(rows, query.limit, (r) => r.id, tokenView);
};
