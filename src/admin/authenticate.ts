/**
 * Who is calling: an access token the broker issued with the client-credentials grant (found through oidc-provider's
 * own ClientCredentials model, so expiry and revocation are the provider's), the bootstrap token from the settings,
 * or whatever the extra authenticators recognise (the console's session). Without one: 401. A valid token whose
 * client holds no admin scope: 403.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import { BrokerError } from '../errors/catalogue.ts';
import { ADMIN_API_PATH } from '../oidc/admin-resource.ts';
import { clientSettings } from '../oidc/client-settings.ts';
import type { Action, AdminDeps, AdminState } from './context.ts';
import { principalFromScopes, type Principal } from './principal.ts';

/** Recognises a caller by its own means (a cookie, a header); undefined lets the next one try. */
export type Authenticator = (ctx: Context) => Promise<Principal | undefined>;

const sha256 = (text: string) => createHash('sha256').update(text).digest();

function bearerOf(ctx: Context): string | undefined {
  const match = /^Bearer ([\x21-\x7e]{1,2048})$/i.exec(ctx.get('authorization'));
  return match?.[1];
}

/** The principal of an admin client's access token; undefined when the token is not one the broker issued. */
async function tokenPrincipal(deps: AdminDeps, adminApi: string, token: string): Promise<Principal | undefined> {
  const provider = deps.provider();
  const found = await provider.ClientCredentials.find(token);
  // Only tokens for this API; sender-constrained (DPoP) ones need a proof this API does not check.
  if (!found?.clientId || found.aud !== adminApi || found.isSenderConstrained()) return undefined;
  const client = await provider.Client.find(found.clientId);
  if (!client) return undefined;
  // Issued with the client's admin scopes of the time; what it is registered for now is what counts.
  const allowed = new Set(clientSettings(client as unknown as Record<string, unknown>).adminScopes);
  const scopes = (found.scope ?? '').split(' ').filter((s) => allowed.has(s));
  return principalFromScopes(client.clientId, scopes) ?? { actor: client.clientId, via: 'token', tenants: [] };
}

export const authenticate: Action = (deps) => {
  const adminApi = `${deps.config.http.issuer}${ADMIN_API_PATH}`;
  const bootstrap = deps.config.admin.bootstrapToken === undefined ? undefined : sha256(deps.config.admin.bootstrapToken);
  return async (ctx, next) => {
    const token = bearerOf(ctx);
    let principal: Principal | undefined;
    if (token !== undefined) {
      principal = bootstrap && timingSafeEqual(sha256(token), bootstrap)
        ? { actor: 'bootstrap', via: 'bootstrap' }
        : await tokenPrincipal(deps, adminApi, token);
    }
    for (const other of deps.authenticators ?? []) principal ??= await other(ctx);
    if (!principal) throw new BrokerError('admin_unauthenticated');
    if (principal.tenants?.length === 0) throw new BrokerError('admin_forbidden', `${principal.actor} holds no admin scope`);
    ctx.state.admin = { principal } as AdminState;
    await next();
  };
};
