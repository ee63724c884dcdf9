/**
 * DELETE /admin/api/tenants/:tenant_id — only with the `admin` scope, and only a tenant that holds nothing in use:
 * no clients, no active certificate (409 saying what is left). Its staged and retired certificates and its admins
 * go with it. The default tenant stays.
 */
import { BrokerError } from '../../../errors/catalogue.ts';
import { DEFAULT_TENANT, TenantRepository } from '../../../storage/tenants.ts';
import { commitChange } from '../../change.ts';
import { adminOf, type Action } from '../../context.ts';
import { assertMayChange } from '../../principal.ts';
import { tenantAuditView } from '../../tenant-view.ts';
import { visibleTenant } from './visible.ts';

function inUse(tenantId: string, clients: number, activeCertificate: boolean): BrokerError {
  const sv = [clients ? `${clients} klient(er)` : '', activeCertificate ? 'ett aktivt certifikat' : ''].filter(Boolean).join(' och ');
  const en = [clients ? `${clients} client(s)` : '', activeCertificate ? 'an active certificate' : ''].filter(Boolean).join(' and ');
  const text = { sv: `Organisationen ${tenantId} har kvar ${sv}: ta bort dem först.`, en: `Tenant ${tenantId} still has ${en}: remove them first.` };
  return new BrokerError('admin_conflict', text.en, { text });
}

export const deleteTenant: Action = (deps) => async (ctx) => {
  const { principal } = adminOf(ctx);
  const tenantId = ctx.params.tenant_id!;
  await commitChange(deps, ctx, async (trx) => {
    const locked = await visibleTenant(trx, principal, tenantId, true);
    assertMayChange(principal, null);
    if (tenantId === DEFAULT_TENANT) {
      const text = { sv: 'Standardorganisationen kan inte tas bort.', en: 'The default tenant cannot be removed.' };
      throw new BrokerError('admin_conflict', text.en, { text });
    }
    const tenants = new TenantRepository(trx);
    const { clients, activeCertificate } = await tenants.holdings(tenantId);
    if (clients || activeCertificate) throw inUse(tenantId, clients, activeCertificate);
    await tenants.remove(tenantId);
    return { change: { tenantId, action: 'delete', objectType: 'tenant', objectId: tenantId, before: tenantAuditView(locked), after: null }, result: undefined };
  });
  ctx.status = 204;
};
