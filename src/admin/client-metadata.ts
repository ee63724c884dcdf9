/**
 * A client's metadata as it will be stored: derived parts filled in, Brygga's rules for who may grant what, and
 * its tenant's policy, and oidc-provider's own client validation (the same the server applies when the client is used),
 * whose complaint becomes a field error.
 */
import { randomBytes } from 'node:crypto';
import { errors, type ClientMetadata } from 'oidc-provider';
import { CLIENT_SETTINGS } from '../oidc/client-settings.ts';
import { wideningProblems } from '../tenants/policy.ts';
import type { AdminDeps } from './context.ts';
import { AdminInputError, invalid } from './errors.ts';
import { isFullAdmin, seesTenant, type Principal } from './principal.ts';
import { clientFields } from './schemas/client.ts';

const SECRET_METHODS = new Set(['client_secret_basic', 'client_secret_post']);

/** Whether the client authenticates with a secret (oidc-provider's default method does). */
export const usesSecret = (metadata: Record<string, unknown>) => SECRET_METHODS.has(String(metadata.token_endpoint_auth_method ?? 'client_secret_basic'));

export const newSecret = () => randomBytes(32).toString('base64url');

/** Only authorization-code clients have a response type; an admin client has only the client-credentials grant. */
function withResponseTypes(metadata: Record<string, unknown>): Record<string, unknown> {
  const grants = (metadata.grant_types as string[] | undefined) ?? ['authorization_code'];
  return { ...metadata, response_types: grants.includes('authorization_code') ? ['code'] : [] };
}

/**
 * What only a broker admin (`admin`) grants: admin scopes, and introspecting other clients' tokens (every tenant's).
 * Anyone who may change the client may keep or drop what it holds. `admin:tenant:<id>[:read]` only to a client of
 * that tenant.
 */
function checkPrivileges(principal: Principal, tenantId: string, metadata: Record<string, unknown>, current: Record<string, unknown> | undefined): void {
  const held = (current?.[CLIENT_SETTINGS.adminScopes] as string[] | undefined) ?? [];
  const scopes = (metadata[CLIENT_SETTINGS.adminScopes] as string[] | undefined) ?? [];
  scopes.forEach((scope, i) => {
    if (!isFullAdmin(principal) && !held.includes(scope)) throw invalid(`${CLIENT_SETTINGS.adminScopes}.${i}`, `only a broker admin (the "admin" scope) may grant ${scope}`);
    const tenant = /^admin:tenant:([^:]+)/.exec(scope)?.[1];
    if (tenant !== undefined && tenant !== tenantId) {
      throw invalid(`${CLIENT_SETTINGS.adminScopes}.${i}`, `a client of tenant ${tenantId} can only hold admin:tenant:${tenantId} or admin:tenant:${tenantId}:read`);
    }
  });
  if (metadata[CLIENT_SETTINGS.mayIntrospect] === true && current?.[CLIENT_SETTINGS.mayIntrospect] !== true && !isFullAdmin(principal)) {
    throw invalid(CLIENT_SETTINGS.mayIntrospect, 'only a broker admin (the "admin" scope) may let a client introspect other clients\' tokens');
  }
}

/** A requirement without parts (its last one removed by a patch) is none. */
function withoutEmptyRequirement(metadata: Record<string, unknown>): Record<string, unknown> {
  const requirement = metadata[CLIENT_SETTINGS.requirement];
  if (typeof requirement !== 'object' || requirement === null || Object.keys(requirement).length) return metadata;
  const { [CLIENT_SETTINGS.requirement]: _empty, ...rest } = metadata;
  return rest;
}

/** The field an oidc-provider message is about: it starts with the property name. */
function fieldOf(description: string, metadata: Record<string, unknown>): string {
  const first = /^[\w#]+/.exec(description)?.[0] ?? '';
  return first in metadata || first in clientFields ? first : '';
}

/**
 * The metadata to store, or a 400 naming the field that oidc-provider or our rules refuse; `current` is the client as
 * stored, when this is a change.
 */
export async function prepareClient(deps: AdminDeps, principal: Principal, tenantId: string, metadata: Record<string, unknown>, current?: Record<string, unknown>): Promise<Record<string, unknown>> {
  const policy = seesTenant(principal, tenantId) ? await deps.tenants.policy(tenantId) : undefined;
  if (!policy) throw invalid('tenant_id', `no tenant ${tenantId}`);
  const complete = withoutEmptyRequirement(withResponseTypes(metadata));
  checkPrivileges(principal, tenantId, complete, current);
  // The same refusal as the CLI's and a registration's: a client never asks for more than its tenant allows.
  const wider = wideningProblems(policy, complete);
  if (wider.length) throw new AdminInputError(wider);
  try {
    // A stand-in secret: the real one is generated after validation, or kept sealed, and never passes through here.
    const candidate = usesSecret(complete) ? { ...complete, client_secret: 'validation-only'.padEnd(43, '-') } : complete;
    await deps.provider().Client.validate(candidate as ClientMetadata);
  } catch (err) {
    if (!(err instanceof errors.OIDCProviderError) || err.status !== 400) throw err;
    const description = err.error_description ?? err.message;
    // Some complaints keep the part that names the field in their detail ("jwks.keys[0].d must not be provided …").
    const detail = err.error_detail;
    throw new AdminInputError([{ field: fieldOf(detail ?? '', complete) || fieldOf(description, complete), message: detail ? `${description}: ${detail}` : description }]);
  }
  return complete;
}
