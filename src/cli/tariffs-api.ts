/** `brygga tariffs …` against a running broker's admin API: the broker validates and audits, this prints the answer. */
import { callApi, type ApiTarget } from './admin-api.ts';
import { record, render, table } from './output.ts';
import { TARIFF_COLUMNS, tariffFromArgs, TARIFFS_HELP } from './tariff-args.ts';
import { UsageError } from './usage.ts';

export async function tariffsOverApi(target: ApiTarget, sub: string | undefined, args: string[], json: boolean, out: (t: string) => void): Promise<number> {
  if (sub !== 'list' && sub !== 'add') throw new UsageError(TARIFFS_HELP);
  const { tenantId, body } = tariffFromArgs(args);
  const path = `/tenants/${encodeURIComponent(tenantId)}/tariffs`;
  if (sub === 'list') {
    const { items } = await callApi(target, 'GET', path) as { items: Record<string, unknown>[] };
    out(render(items, json, (rows: Record<string, unknown>[]) => table(rows, TARIFF_COLUMNS)));
  } else {
    out(render(await callApi(target, 'POST', path, body), json, record));
  }
  return 0;
}
