/** Who is calling the admin API, and which tenants' objects they may see and change. */

/** The tenant a single-organisation install keeps, created by migration 0010. */
export { DEFAULT_TENANT } from '../storage/tenants.ts';

export interface Principal {
  /** Written to the audit trail: the admin client's id, `bootstrap`, or a console user's handle. */
  actor: string;
  via: 'token' | 'bootstrap' | 'console';
  /** The tenants whose objects this principal may see; undefined for every tenant (the `admin` scope). */
  tenants?: readonly string[];
}

export function seesTenant(principal: Principal, tenantId: string): boolean {
  return !principal.tenants || principal.tenants.includes(tenantId);
}

/** The principal's permissions from admin scopes: `admin` is everything, `admin:tenant:<id>` one tenant. */
export function principalFromScopes(actor: string, scopes: readonly string[]): Principal | undefined {
  if (scopes.includes('admin')) return { actor, via: 'token' };
  const tenants = scopes.filter((s) => s.startsWith('admin:tenant:')).map((s) => s.slice('admin:tenant:'.length));
  return tenants.length ? { actor, via: 'token', tenants } : undefined;
}
