/** GET and POST /admin/api/tenants/:tenant_id/tariffs — a tenant's prices, each from a day on. */
import { putTariff, tariffs, type Tariff } from '../../../storage/usage.ts';
import { commitChange } from '../../change.ts';
import { adminOf, type Action } from '../../context.ts';
import { invalid } from '../../errors.ts';
import type { TariffInput } from './schemas.ts';
import { visibleTenant } from './visible-tenant.ts';

const view = (t: Tariff) => ({ valid_from: t.validFrom, price: t.price, currency: t.currency });

export const listTariffs: Action = (deps) => async (ctx) => {
  const tenantId = await visibleTenant(deps, adminOf(ctx).principal, ctx.params.tenant_id!);
  ctx.body = { items: (await tariffs(deps.db, tenantId)).map(view) };
};

export const setTariff: Action = (deps) => async (ctx) => {
  const { principal, body } = adminOf<TariffInput>(ctx);
  const tenantId = await visibleTenant(deps, principal, ctx.params.tenant_id!);
  const validFrom = body.valid_from;
  const tariff = { validFrom, price: body.price, currency: body.currency };
  ctx.body = await commitChange(deps, ctx, async (trx) => {
    const existing = await tariffs(trx, tenantId);
    const other = existing.find((t) => t.currency !== body.currency && t.validFrom !== validFrom);
    if (other) throw invalid('currency', `must be ${other.currency}, the currency of the tenant's other tariffs`);
    const before = existing.find((t) => t.validFrom === validFrom);
    await putTariff(trx, tenantId, tariff);
    const after = (await tariffs(trx, tenantId)).find((t) => t.validFrom === validFrom)!;
    return {
      change: { tenantId, action: before ? 'update' : 'create', objectType: 'tariff', objectId: `${tenantId}/${validFrom}`, before: before ? view(before) : null, after: view(after) },
      result: view(after),
    };
  });
};
