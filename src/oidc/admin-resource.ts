/**
 * The admin API as the one resource server (RFC 8707) of this provider: a client-credentials token is issued for it
 * (by default, as no other resource exists), carries only the admin scopes the client is registered for, and has the
 * admin API as audience. Other flows name no resource and get the tokens they always got.
 */
import { errors, type Configuration } from 'oidc-provider';
import { clientSettings } from './client-settings.ts';

export const ADMIN_API_PATH = '/admin/api';

type ResourceIndicators = NonNullable<NonNullable<Configuration['features']>['resourceIndicators']>;

export function adminResourceIndicators(issuer: string, accessTokenTtlS: number): ResourceIndicators {
  const adminApi = `${issuer}${ADMIN_API_PATH}`;
  const clientCredentials = (ctx: { oidc: { params?: Record<string, unknown> } }) => ctx.oidc.params?.grant_type === 'client_credentials';
  return {
    enabled: true,
    defaultResource: (ctx) => (clientCredentials(ctx) ? adminApi : undefined) as string,
    useGrantedResource: () => false,
    getResourceServerInfo: (ctx, resource, client) => {
      if (resource !== adminApi || !clientCredentials(ctx)) throw new errors.InvalidTarget();
      return {
        scope: clientSettings(client as unknown as Record<string, unknown>).adminScopes.join(' '),
        audience: adminApi,
        accessTokenFormat: 'opaque',
        accessTokenTTL: accessTokenTtlS,
      };
    },
  };
}
