/**
 * A tenant as the admin API shows and takes it (snake_case, like every other resource there), and the tenant
 * service's field errors renamed to the API's fields.
 */
import { InputError } from '../errors/field-errors.ts';
import type { TenantRecord } from '../storage/tenants.ts';
import type { Tenant, TenantInput } from '../tenants/service.ts';
import { AdminInputError } from './errors.ts';

export function tenantView(t: TenantRecord | Tenant): Record<string, unknown> {
  return {
    id: t.id,
    name: t.name,
    organisation_number: t.organisationNumber ?? null,
    contacts: t.contacts,
    bankid_environment: t.bankidEnvironment ?? null,
    policy: t.policy,
    time_zone: t.timeZone,
    billable_operations: t.billableOperations,
    created_at: t.createdAt.toISOString(),
    updated_at: t.updatedAt.toISOString(),
  };
}

/** What the audit trail keeps of a tenant: everything but its timestamps (a tenant holds no secret). */
export function tenantAuditView(t: TenantRecord | Tenant): Record<string, unknown> {
  const { created_at: _c, updated_at: _u, ...rest } = tenantView(t);
  return rest;
}

/** The API's tenant (as created, or merged with a patch) as the tenant service takes it. */
export function tenantInput(body: Record<string, unknown>): TenantInput {
  return {
    id: body.id as string,
    name: body.name as TenantInput['name'],
    organisationNumber: (body.organisation_number ?? undefined) as string | undefined,
    contacts: (body.contacts ?? undefined) as TenantInput['contacts'],
    bankidEnvironment: (body.bankid_environment ?? undefined) as TenantInput['bankidEnvironment'],
    policy: (body.policy ?? undefined) as TenantInput['policy'],
    timeZone: (body.time_zone ?? undefined) as string | undefined,
    billableOperations: (body.billable_operations ?? undefined) as string[] | undefined,
  };
}

const API_FIELDS: Record<string, string> = {
  organisationNumber: 'organisation_number', bankidEnvironment: 'bankid_environment', timeZone: 'time_zone', billableOperations: 'billable_operations',
};

/** Runs a tenant service call; its field errors come out with the API's field names (`contacts.0.email`). */
export async function withApiFields<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    throw new AdminInputError(err.errors.map((e) => ({
      field: e.field.replace(/^\w+/, (head) => API_FIELDS[head] ?? head).replace(/\[(\d+)\]/g, '.$1'),
      message: e.message,
    })));
  }
}
