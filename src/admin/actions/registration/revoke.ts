/**
 * DELETE /admin/api/tenants/:tenant_id/initial-access-tokens/:token_id — the token registers nothing more. Clients
 * it registered stay (an admin removes them, or they delete themselves with their registration access token).
 */
import { commitChange } from '../../change.ts';
import { adminOf, type Action } from '../../context.ts';
import { visibleTenant } from './tenant.ts';
import { revokeToken } from './tokens.ts';

export const revokeInitialAccessTokenOf: Action = (deps) => async (ctx) => {
  const { principal } = adminOf(ctx);
  const tenantId = await visibleTenant(deps, principal, ctx.params.tenant_id!);
  await revokeToken((work) => commitChange(deps, ctx, work), tenantId, ctx.params.token_id!);
  ctx.status = 204;
};
