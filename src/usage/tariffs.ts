/** A tenant's tariffs: a price per billable transaction from a day on, in one currency per tenant. */
import { InputError } from '../errors/field-errors.ts';
import type { Db } from '../storage/database.ts';
import { putTariff, tariffs, type Tariff } from '../storage/usage.ts';

/**
 * Sets the tariff from `tariff.validFrom` on, replacing one of the same day; refused (on `currency`) in another
 * currency than the tenant's other tariffs. Returns the tariff of that day before, if any, and after.
 */
export async function addTariff(db: Db, tenantId: string, tariff: Tariff): Promise<{ before: Tariff | undefined; after: Tariff }> {
  const existing = await tariffs(db, tenantId);
  const other = existing.find((t) => t.currency !== tariff.currency && t.validFrom !== tariff.validFrom);
  if (other) throw new InputError([{ field: 'currency', message: `must be ${other.currency}, the currency of the tenant's other tariffs` }]);
  await putTariff(db, tenantId, tariff);
  const after = (await tariffs(db, tenantId)).find((t) => t.validFrom === tariff.validFrom)!;
  return { before: existing.find((t) => t.validFrom === tariff.validFrom), after };
}
