/**
 * Provider middleware that ties tokens to the login they come from: when a login result is resumed, its order is
 * attached to the session; when a code is issued, the code's grant is bound to the session's latest order. A
 * signature's order binds its own code and never joins the session (it must not seed single sign-on). Runs inside
 * the request's batched writes, so the bindings go in the statement that saves the code and the session.
 */
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { LoginRepository } from '../storage/logins.ts';

/** The login result the interaction pages hand to oidc-provider carries the order that authenticated it (`sign`: a signature's or a payment's). */
export interface LoginOrderResult { order?: { id: string; sign?: boolean } }

export function bindLoginsToGrants(logins: LoginRepository) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    await next();
    const { session, route } = ctx.oidc ?? {};
    if (!session || (route !== 'resume' && route !== 'authorization')) return;
    const result = ctx.oidc.result as LoginOrderResult | undefined;
    const order = route === 'resume' ? result?.order : undefined;
    const grantId = ctx.oidc.entities.AuthorizationCode?.grantId;
    if (order?.sign) {
      if (grantId) await logins.bindGrantToOrder(grantId, order.id);
      return;
    }
    // The login that just completed is the session's latest: its code is bound to that very order.
    if (order) {
      await logins.attachSession(order.id, session.uid);
      if (grantId) await logins.bindGrantToOrder(grantId, order.id);
    } else if (grantId) await logins.bindGrant(grantId, session.uid);
  };
}
