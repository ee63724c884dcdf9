/**
 * `brygga tariffs list|add --tenant T …`: a tenant's prices per billable transaction, each from a day on. Against the
 * database checked by the admin API's own schema; with --url through the admin API (tariffs-api.ts), audited there.
 */
import { tariffBody } from '../admin/actions/usage/schemas.ts';
import { tariffView } from '../admin/actions/usage/tariffs.ts';
import type { Db } from '../storage/database.ts';
import { TenantRepository } from '../storage/tenants.ts';
import { tariffs } from '../storage/usage.ts';
import { addTariff } from '../usage/tariffs.ts';
import { record, render, table } from './output.ts';
import { UsageError } from './usage.ts';
import { TARIFF_COLUMNS, tariffFromArgs, TARIFFS_HELP } from './tariff-args.ts';

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
