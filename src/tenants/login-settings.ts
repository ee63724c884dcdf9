/**
 * A client as the provider loads it: its stored metadata with the settings its logins run with, its own narrowed by
 * its tenant's policy (which came with it in the same lookup, so a login costs no statement more). Unless the client
 * registered its own, its `default_acr_values` are its tenant's acr: the ID token then names it, as the Swedish
 * OIDC profile wants, and a request for another acr is refused before any BankID order (oidc/policy.ts).
 */
import { clientSettings, LOGIN_SETTINGS, type LoginSettings } from '../oidc/client-settings.ts';
import type { LoadedClient } from '../storage/clients.ts';
import { effectiveSettings, type TenantPolicy } from './policy.ts';

export function withLoginSettings(client: LoadedClient, acr: { asserted: string; supported: readonly string[] }): Record<string, unknown> {
  const effective = effectiveSettings(client.tenantPolicy as TenantPolicy, clientSettings(client.metadata));
  // A tenant's acr this deployment may not assert (ACR_SUPPORTED) gives way to ACR: never claim more than is true.
  const tenantAcr = effective.acr && acr.supported.includes(effective.acr) ? effective.acr : undefined;
  const settings: LoginSettings = { ...effective, acr: tenantAcr ?? acr.asserted, tenantId: client.tenantId };
  return {
    ...client.metadata,
    ...(client.metadata.default_acr_values === undefined ? { default_acr_values: [settings.acr] } : {}),
    [LOGIN_SETTINGS]: settings,
  };
}
