/**
 * POST /admin/api/tenants/:tenant_id/initial-access-tokens — a token that registers clients into the tenant at the
 * registration endpoint, shown once. It is oidc-provider's own InitialAccessToken (so the library checks expiry and
 * revocation), naming the tenant policy; its tenant is recorded beside it with the audit row, in one transaction.
 */
import { randomBytes } from 'node:crypto';
import { BrokerError } from '../../../errors/catalogue.ts';
import { recordInitialAccessToken } from '../../../storage/initial-access-tokens.ts';
import { commitChange } from '../../change.ts';
import { adminOf, type Action } from '../../context.ts';
import { DEFAULT_TOKEN_LIFETIME_S, type TokenIssue } from '../../schemas/registration.ts';
import { TENANT_POLICY } from './policy.ts';
import { tokenView, visibleTenant } from './tenant.ts';

export const issueInitialAccessToken: Action = (deps) => async (ctx) => {
  const { principal, body } = adminOf<TokenIssue>(ctx);
  const tenantId = await visibleTenant(deps, principal, ctx.params.tenant_id!);
  if (!deps.config.admin.dynamicRegistration) throw new BrokerError('registration_off');
  const expiresIn = body.expires_in ?? DEFAULT_TOKEN_LIFETIME_S;
  const token = new (deps.provider().InitialAccessToken)({ expiresIn, policies: [TENANT_POLICY] });
  // Saved through the adapter first: the recorded tenant refers to it. Should recording fail, the token goes again.
  const value = await token.save();
  const row = await commitChange(deps, ctx, async (trx) => {
    const recorded = await recordInitialAccessToken(trx, { id: `iat_${randomBytes(12).toString('base64url')}`, tokenId: value, tenantId, createdBy: principal.actor });
    return { change: { tenantId, action: 'create', objectType: 'initial_access_token', objectId: recorded.id, before: null, after: tokenView(recorded) }, result: recorded };
  }).catch(async (err: unknown) => {
    await token.destroy();
    throw err;
  });
  ctx.status = 201;
  ctx.body = { ...tokenView(row), token: value, registration_endpoint: `${deps.config.http.issuer}/reg` };
};
