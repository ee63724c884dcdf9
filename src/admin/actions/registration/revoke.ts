/**
 * DELETE /admin/api/tenants/:tenant_id/initial-access-tokens/:token_id — the token registers nothing more. Clients
 * it registered stay (an admin removes them, or they delete themselves with their registration access token).
 */
import { BrokerError } from '../../../errors/catalogue.ts';
import { findInitialAccessToken, revokeInitialAccessToken } from '../../../storage/initial-access-tokens.ts';
import { commitChange } from '../../change.ts';
import { adminOf, type Action } from '../../context.ts';
import { tokenView, visibleTenant } from './tenant.ts';

export const revokeInitialAccessTokenOf: Action = (deps) => async (ctx) => {
  const { principal } = adminOf(ctx);
  const tenantId = await visibleTenant(deps, principal, ctx.params.tenant_id!);
  const id = ctx.params.token_id!;
  await commitChange(deps, ctx, async (trx) => {
    const row = await findInitialAccessToken(trx, tenantId, id);
    if (!row) throw new BrokerError('admin_not_found', `no initial access token ${id} in tenant ${tenantId}`);
    await revokeInitialAccessToken(trx, id);
    return { change: { tenantId, action: 'delete', objectType: 'initial_access_token', objectId: id, before: tokenView(row), after: null }, result: undefined };
  });
  ctx.status = 204;
};
