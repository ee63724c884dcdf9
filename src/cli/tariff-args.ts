/** `brygga tariffs`' flags, on the database and over the admin API alike. */
import { parseArgs } from 'node:util';
import { UsageError } from './usage.ts';

export const TARIFFS_HELP = `Usage: brygga tariffs list|add --tenant T [--json]

  tariffs list --tenant T
  tariffs add --tenant T --valid-from YYYY-MM-DD --price 1.85 --currency SEK

A price per billable transaction from a day (the tenant's time zone) until the next tariff; a tariff of the same day
is replaced. One currency per tenant. The usage reports price each day by the tariff valid that day.`;

export const TARIFF_COLUMNS: [string, string][] = [['valid_from', 'VALID FROM'], ['price', 'PRICE'], ['currency', 'CURRENCY']];

/** The tenant and the tariff flags as the API's fields, only what was given. */
export function tariffFromArgs(args: string[]): { tenantId: string; body: Record<string, string> } {
  const { values } = parseArgs({
    args, strict: true,
    options: { tenant: { type: 'string' }, 'valid-from': { type: 'string' }, price: { type: 'string' }, currency: { type: 'string' } },
  });
  if (!values.tenant) throw new UsageError(`--tenant is required\n\n${TARIFFS_HELP}`);
  const body = { valid_from: values['valid-from'], price: values.price, currency: values.currency };
  return { tenantId: values.tenant, body: Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => e[1] !== undefined)) };
}
