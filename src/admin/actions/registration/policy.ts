/**
 * The tenant's policy forced onto a self-registered client, as oidc-provider's registration policy (it runs before
 * the library's own client validation, on registration and on every update). Metadata wider than the tenant allows is
 * refused with `invalid_client_metadata` naming each reason, not narrowed: a client silently given less than it
 * registered would fail in ways its developer cannot see (`brygga clients add --tenant` refuses too). Brygga's field
 * rules apply as in the admin API, and what only an admin grants (first party, introspection, admin scopes, the
 * client-credentials grant) a registrant cannot give itself; it may keep what an admin gave it.
 */
import { isDeepStrictEqual } from 'node:util';
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { z } from 'zod';
import type { FieldError } from '../../../errors/field-errors.ts';
import { CIBA_GRANT_TYPE } from '../../../oidc/ciba.ts';
import { CLIENT_SETTINGS } from '../../../oidc/client-settings.ts';
import { TenantRepository } from '../../../storage/tenants.ts';
import { wideningProblems, type TenantPolicy } from '../../../tenants/policy.ts';
import { fieldErrors } from '../../input.ts';
import { clientFields } from '../../schemas/client.ts';
import { registrantOf, type RegistrationDeps } from './registrant.ts';

/** The policy every initial access token names (and its registration access tokens inherit). */
export const TENANT_POLICY = 'brygga-tenant';

/** The admin API's field rules; other standard metadata is left to oidc-provider's validation. */
const fieldRules = z.object(clientFields).partial();

const ADMIN_ONLY = [CLIENT_SETTINGS.firstParty, CLIENT_SETTINGS.mayIntrospect, CLIENT_SETTINGS.adminScopes] as const;
/** Admin tools, and phone orders, which reach any person's BankID by personal number. */
const ADMIN_ONLY_GRANTS = ['client_credentials', CIBA_GRANT_TYPE] as const;

function privilegeProblems(metadata: Record<string, unknown>, current: Record<string, unknown> | undefined): FieldError[] {
  const problems: FieldError[] = ADMIN_ONLY
    .filter((key) => metadata[key] !== undefined && !isDeepStrictEqual(metadata[key], current?.[key]))
    .map((field) => ({ field, message: 'is set by an admin only, not by dynamic registration' }));
  const wants = (m: Record<string, unknown> | undefined, grant: string) => Array.isArray(m?.grant_types) && m.grant_types.includes(grant);
  for (const grant of ADMIN_ONLY_GRANTS) {
    if (wants(metadata, grant) && !wants(current, grant)) problems.push({ field: 'grant_types', message: `${grant} is granted by an admin only, not by dynamic registration` });
  }
  return problems;
}

export function tenantPolicy(deps: RegistrationDeps): (ctx: KoaContextWithOIDC, metadata: Record<string, unknown>) => Promise<void> {
  const tenants = new TenantRepository(deps.db);
  return async (ctx, metadata) => {
    const { tenantId, current } = await registrantOf(deps, ctx);
    const tenant = await tenants.find(tenantId);
    if (!tenant) throw new errors.InvalidClientMetadata(`the tenant ${tenantId} no longer exists`);
    const checked = fieldRules.safeParse(metadata);
    const problems = [
      ...(checked.success ? [] : fieldErrors(checked.error)),
      ...privilegeProblems(metadata, current?.metadata),
      ...wideningProblems(tenant.policy as TenantPolicy, metadata),
    ];
    if (problems.length) throw new errors.InvalidClientMetadata(problems.map((p) => `${p.field} ${p.message}`).join('; '));
  };
}
