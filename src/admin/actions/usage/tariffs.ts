/** GET and POST /admin/api/tenants/:tenant_id/tariffs — a tenant's prices, each from a day on. */
import { tariffs, type Tariff } from '../../../storage/usage.ts';
import { addTariff } from '../../../usage/tariffs.ts';
import { commitChange } from '../../change.ts';
import { adminOf, type Action } from '../../context.ts';
import { withApiFields } from '../../tenant-view.ts';
import type { TariffInput } from './schemas.ts';
import { visibleTenant } from './visible-tenant.ts';

export const tariffView = (t: Tariff) => ({ valid_from: t.validFrom, price: t.price, currency: t.currency });

export const listTariffs: Action = (deps) => async (ctx) => {
  const tenantId = await visibleTenant(deps, adminOf(ctx).principal, ctx.params.tenant_id!);
  ctx.body = { items: (await tariffs(deps.db, tenantId)).map(tariffView) };
};

export const setTariff: Action = (deps) => async (ctx) => {
  const { principal, body } = adminOf<TariffInput>(ctx);
  const tenantId = await visibleTenant(deps, principal, ctx.params.tenant_id!);
  ctx.body = await commitChange(deps, ctx, async (trx) => {
    // The tariff's field errors as the API's (the field names are the same).
    const { before, after } = await withApiFields(() => addTariff(trx, tenantId, { validFrom: body.valid_from, price: body.price, currency: body.currency }));
    return {
      change: { tenantId, action: before ? 'update' : 'create', objectType: 'tariff', objectId: `${tenantId}/${body.valid_from}`, before: before ? tariffView(before) : null, after: tariffView(after) },
      result: tariffView(after),
    };
  });
};
