/**
 * An admin the caller may see, or 404 (a tenant admin sees its tenants' admins, never a broker admin); and the
 * fields of a new or changed admin checked as a whole: a broker admin has no tenant, a tenant role needs one.
 */
import { BrokerError } from '../../../errors/catalogue.ts';
import type { AdminFields, AdminRecord } from '../../../storage/admins.ts';
import type { Db } from '../../../storage/database.ts';
import type { AdminDeps } from '../../context.ts';
import { invalid } from '../../errors.ts';
import { seesTenant, type Principal } from '../../principal.ts';

export async function visibleAdmin(deps: AdminDeps, db: Db, principal: Principal, id: string, lock = false): Promise<AdminRecord> {
  const admin = await deps.admins.get(db, id, principal.tenants, lock);
  if (!admin) throw new BrokerError('admin_not_found', `no admin ${id} for ${principal.actor}`);
  return admin;
}

export async function checkedFields(deps: AdminDeps, principal: Principal, fields: AdminFields): Promise<AdminFields> {
  if (fields.role === 'broker_admin' && fields.tenantId !== null) throw invalid('tenant_id', 'a broker_admin belongs to no tenant: send null');
  if (fields.role !== 'broker_admin') {
    if (fields.tenantId === null) throw invalid('tenant_id', `a ${fields.role} needs a tenant`);
    if (!seesTenant(principal, fields.tenantId) || !(await deps.tenants.exists(fields.tenantId))) throw invalid('tenant_id', `no tenant ${fields.tenantId}`);
  }
  return fields;
}

/** The person already has a role there: one row per person and tenant. */
export const alreadyAdmin = (tenantId: string | null) => new BrokerError('admin_conflict', `this person is already an admin ${tenantId === null ? 'as broker_admin' : `of tenant ${tenantId}`}`);
