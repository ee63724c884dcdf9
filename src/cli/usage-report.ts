/**
 * `brygga usage --tenant T --month YYYY-MM [--by day] [--format table|csv|json]`: a tenant's usage report, from the
 * database, or from a running broker's admin API with --url/--token. CSV and JSON are the admin API's own.
 */
import type { Db } from '../storage/database.ts';
import { billableOperationsOf, usageCsv, usageReport, monthDays, type UsageReport } from '../usage/report.ts';
import { callApi, type ApiTarget } from './admin-api.ts';
import { takeValue } from './options.ts';
import { table } from './output.ts';
import { UsageError } from './usage.ts';

export const USAGE_HELP = 'usage: brygga usage --tenant T --month YYYY-MM [--by day|month] [--format table|csv|json] [--url URL --token TOKEN]';

const COLUMNS: [string, string][] = [
  ['period', 'PERIOD'], ['kind', 'KIND'], ['id', 'CLIENT / CERTIFICATE'], ['started', 'STARTED'], ['completed', 'COMPLETED'],
  ['billable', 'BILLABLE'], ['failed', 'FAILED'], ['expired', 'EXPIRED'], ['cancelled', 'CANCELLED'], ['unique_persons', 'PERSONS'],
  ['median_ms', 'MEDIAN MS'], ['p95_ms', 'P95 MS'], ['conversion', 'CONVERSION'], ['qr', 'QR'], ['same_device', 'SAME DEVICE'],
  ['amount', 'AMOUNT'], ['currency', 'CURRENCY'],
];

export interface UsageRequest { tenantId: string; month: string; by: 'day' | 'month'; format: 'table' | 'csv' | 'json' }

/** Takes the command's options out of `args`; a wrong one is a UsageError. */
export function usageRequest(args: string[]): UsageRequest {
  const tenantId = takeValue(args, 'tenant');
  const month = takeValue(args, 'month');
  const by = takeValue(args, 'by') ?? 'month';
  const format = takeValue(args, 'format') ?? 'table';
  if (args.length) throw new UsageError(`unknown option ${args[0]}; ${USAGE_HELP}`);
  if (!tenantId) throw new UsageError(`--tenant is required; ${USAGE_HELP}`);
  if (!month || !monthDays(month)) throw new UsageError(`--month must be a month YYYY-MM; ${USAGE_HELP}`);
  if (by !== 'day' && by !== 'month') throw new UsageError('--by must be day or month');
  if (format !== 'table' && format !== 'csv' && format !== 'json') throw new UsageError('--format must be table, csv or json');
  return { tenantId, month, by, format };
}

export function fromDatabase(db: Db, request: UsageRequest): Promise<UsageReport> {
  return usageReport(db, { tenantId: request.tenantId, ...monthDays(request.month)!, by: request.by });
}

export async function fromApi(target: ApiTarget, request: UsageRequest): Promise<UsageReport> {
  const query = new URLSearchParams({ month: request.month, by: request.by });
  return await callApi(target, 'GET', `/tenants/${encodeURIComponent(request.tenantId)}/usage?${query}`) as UsageReport;
}

export function printUsage(report: UsageReport, format: UsageRequest['format']): string {
  if (format === 'json') return JSON.stringify(report, null, 2);
  if (format === 'csv') return usageCsv(report).trimEnd();
  const title = `Usage of ${report.tenant_id}, ${report.from} to ${report.to} (exclusive), ${report.time_zone}; billable: ${report.billable_operations.join(', ')}`;
  // The billable count, then its parts per operation (identifications, signatures, …), as in the CSV.
  const operations = billableOperationsOf(report);
  const at = COLUMNS.findIndex(([key]) => key === 'billable') + 1;
  const columns = [...COLUMNS.slice(0, at), ...operations.map((op): [string, string] => [`billable:${op}`, `BILLABLE ${op.toUpperCase()}`]), ...COLUMNS.slice(at)];
  const rows = report.rows.map((row) => ({ ...row, ...Object.fromEntries(operations.map((op) => [`billable:${op}`, row.billable_by_operation[op]])) }));
  return `${title}\n\n${table(rows, columns)}`;
}
