/**
 * `brygga tariffs list|add --tenant T …`: a tenant's prices per billable transaction, each from a day on. Against the
 * database checked by the admin API's own schema; with --url through the admin API (tariffs-api.ts), audited there.
 */
import { parseArgs } from 'node:util';
import { tariffBody } from '../admin/actions/usage/schemas.ts';
import { tariffView } from '../admin/actions/usage/tariffs.ts';
import type { Db } from '../storage/database.ts';
import { TenantRepository } from '../storage/tenants.ts';
import { tariffs } from '../storage/usage.ts';
import { addTariff } from '../usage/tariffs.ts';
import { record, render, table } from './output.ts';
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

export async function tariffsCommand(db: Db, sub: string | undefined, args: string[], json: boolean, out: (t: string) => void): Promise<number> {
  if (sub !== 'list' && sub !== 'add') throw new UsageError(TARIFFS_HELP);
  const { tenantId, body } = tariffFromArgs(args);
  if (!(await new TenantRepository(db).find(tenantId))) throw new UsageError(`no tenant ${tenantId}`);
  if (sub === 'list') {
    out(render((await tariffs(db, tenantId)).map(tariffView), json, (rows: Record<string, unknown>[]) => table(rows, TARIFF_COLUMNS)));
    return 0;
  }
  const parsed = tariffBody.safeParse(body);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`).join('\n'));
  const { valid_from: validFrom, price, currency } = parsed.data;
  const { after } = await db.transaction().execute((trx) => addTariff(trx, tenantId, { validFrom, price, currency }));
  out(render(tariffView(after), json, record));
  return 0;
}
