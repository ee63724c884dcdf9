/**
 * Provider middleware that ties tokens to the login they come from: when a login result is resumed, its order is
 * attached to the session; when a code is issued, the code's grant is bound to the session's latest order.
 */
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { LoginRepository } from '../storage/logins.ts';

/** The login result the interaction pages hand to oidc-provider carries the order that authenticated it. */
export interface LoginOrderResult { order?: { id: string } }

export function bindLoginsToGrants(logins: LoginRepository) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    await next();
    const { session, route } = ctx.oidc ?? {};
    if (!session || (route !== 'resume' && route !== 'authorization')) return;
    const result = ctx.oidc.result as LoginOrderResult | undefined;
    if (route === 'resume' && result?.order) await logins.attachSession(result.order.id, session.uid);
    const code = ctx.oidc.entities.AuthorizationCode;
    if (code?.grantId) await logins.bindGrant(code.grantId, session.uid);
  };
}
