/**
 * Who is calling the admin API, and which tenants' objects they may see and change: every authorization decision
 * of the admin API is made from the functions here.
 */
import { BrokerError } from '../errors/catalogue.ts';

/** The tenant a single-organisation install keeps, created by migration 0010. */
export { DEFAULT_TENANT } from '../storage/tenants.ts';

export interface Principal {
  /** Written to the audit trail: the admin client's id, `bootstrap`, or a console user's handle. */
  actor: string;
  via: 'token' | 'bootstrap' | 'console';
  /** The tenants whose objects this principal may see; undefined for every tenant (`admin`, `admin:read`). */
  tenants?: readonly string[];
  /** Of those, the tenants whose objects it may change; undefined for all it sees, empty when it only reads. */
  changes?: readonly string[];
}

/** Whether the principal sees a tenant's objects; `null` is the broker's own (tenants themselves, broker admins). */
export function seesTenant(principal: Principal, tenantId: string | null): boolean {
  if (tenantId === null) return !principal.tenants;
  return !principal.tenants || principal.tenants.includes(tenantId);
}

/** Whether the principal may change a tenant's objects (`null`: the broker's own, which only `admin` may). */
export function mayChange(principal: Principal, tenantId: string | null): boolean {
  if (!seesTenant(principal, tenantId)) return false;
  if (tenantId === null) return !principal.changes;
  return !principal.changes || principal.changes.includes(tenantId);
}

/** Full rights over everything: the `admin` scope or the bootstrap token. */
export const isFullAdmin = (principal: Principal) => mayChange(principal, null);

/** The only tenant the principal may change, if it is limited to exactly one (the default for what it creates). */
export function onlyTenant(principal: Principal): string | undefined {
  const changes = principal.changes ?? principal.tenants;
  return changes?.length === 1 ? changes[0] : undefined;
}

/** A change the principal may see but not make is refused with 403 (a tenant it cannot see is the caller's 404). */
export function assertMayChange(principal: Principal, tenantId: string | null): void {
  if (mayChange(principal, tenantId)) return;
  const text = tenantId === null
    ? { sv: 'Bara den som har behörigheten "admin" får skapa eller ta bort organisationer och ändra brokeradministratörer.', en: 'Only the "admin" scope may create or remove tenants and change broker admins.' }
    : { sv: `Behörigheten får bara läsa organisationen ${tenantId}, inte ändra den.`, en: `This access may read tenant ${tenantId} but not change it.` };
  throw new BrokerError('admin_forbidden', `${principal.actor}: ${text.en}`, { text });
}

/** A read-only principal (`admin:read`, `admin:tenant:<id>:read` only) may not send a change at all. */
export function assertMayChangeSomething(principal: Principal): void {
  if (principal.changes?.length === 0) throw new BrokerError('admin_read_only', `${principal.actor} has read-only access`);
}

/**
 * The principal's permissions from admin scopes: `admin` is everything, `admin:read` reads everything,
 * `admin:tenant:<id>` reads and changes one tenant, `admin:tenant:<id>:read` only reads it.
 */
export function principalFromScopes(actor: string, scopes: readonly string[]): Principal | undefined {
  if (scopes.includes('admin')) return { actor, via: 'token' };
  const tenantScopes = scopes.map((s) => /^admin:tenant:([\w.-]{1,64})(:read)?$/.exec(s)).filter((m) => m !== null);
  const changes = tenantScopes.filter((m) => !m[2]).map((m) => m[1]!);
  if (scopes.includes('admin:read')) return { actor, via: 'token', changes };
  const tenants = [...new Set(tenantScopes.map((m) => m[1]!))];
  return tenants.length ? { actor, via: 'token', tenants, changes } : undefined;
}
