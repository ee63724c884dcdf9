/**
 * POST /admin/api/tenants/:tenant_id/initial-access-tokens — a token that registers clients into the tenant at the
 * registration endpoint, shown once (tokens.ts).
 */
import { BrokerError } from '../../../errors/catalogue.ts';
import { commitChange } from '../../change.ts';
import { adminOf, type Action } from '../../context.ts';
import { DEFAULT_TOKEN_LIFETIME_S, type TokenIssue } from '../../schemas/registration.ts';
import { tokenView, visibleTenant } from './tenant.ts';
import { issueToken } from './tokens.ts';

export const issueInitialAccessToken: Action = (deps) => async (ctx) => {
  const { principal, body } = adminOf<TokenIssue>(ctx);
  const tenantId = await visibleTenant(deps, principal, ctx.params.tenant_id!);
  if (!deps.config.admin.dynamicRegistration) throw new BrokerError('registration_off');
  const { row, token } = await issueToken(deps.provider().InitialAccessToken, (work) => commitChange(deps, ctx, work), tenantId, body.expires_in ?? DEFAULT_TOKEN_LIFETIME_S, principal.actor);
  ctx.status = 201;
  ctx.body = { ...tokenView(row), token, registration_endpoint: `${deps.config.http.issuer}/reg` };
};
