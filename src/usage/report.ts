/**
 * The usage report of a tenant for a month or a range of days: per client and per certificate (the unit BankID
 * invoices), with failures by reason, conversion, and the amount the tariff gives. JSON and CSV carry the same rows.
 */
import { BrokerError } from '../errors/catalogue.ts';
import type { Db } from '../storage/database.ts';
import { usageBillable, usageReasons, usageRows, usageSettings, type UsageRange, type UsageRow } from '../storage/usage.ts';

export interface UsageReportRow extends UsageRow {
  /**
   * `billable` by operation as the ledger names it (`auth` identifications, `sign` signatures, `payment`, …): every
   * billable operation of the tenant, 0 included, so the parts always add up to `billable`.
   */
  billable_by_operation: Record<string, number>;
  /** Completed of started, 0–1 with 4 decimals; null when nothing started. */
  conversion: number | null;
  /** Failed orders by reason (the error code, else BankID's hint code); clients only. */
  failures: Record<string, number>;
}

export interface UsageReport {
  tenant_id: string;
  time_zone: string;
  billable_operations: string[];
  from: string;
  to: string;
  by: 'day' | 'month';
  rows: UsageReportRow[];
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** The days of a month `YYYY-MM`: its first, and the first of the next (exclusive); undefined when malformed. */
export function monthDays(month: string): { from: string; to: string } | undefined {
  const m = MONTH.exec(month);
  if (!m) return undefined;
  const next = new Date(Date.UTC(Number(m[1]), Number(m[2]), 1)).toISOString().slice(0, 10);
  return { from: `${month}-01`, to: next };
}

export function isDay(value: string): boolean {
  return DAY.test(value) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
}

export async function usageReport(db: Db, range: UsageRange): Promise<UsageReport> {
  const settings = await usageSettings(db, range.tenantId);
  if (!settings) throw new BrokerError('tenant_unknown', `no tenant ${range.tenantId}`);
  const [rows, reasons, billable] = await Promise.all([usageRows(db, range), usageReasons(db, range), usageBillable(db, range)]);
  const operations = [...new Set([...settings.billableOperations, ...billable.map((b) => b.operation)])];
  return {
    tenant_id: range.tenantId,
    time_zone: settings.timeZone,
    billable_operations: settings.billableOperations,
    from: range.from,
    to: range.to,
    by: range.by,
    rows: rows.map((row) => ({
      ...row,
      billable_by_operation: Object.fromEntries(operations.map((op) => [op, billable.find((b) => b.period === row.period && b.kind === row.kind && b.id === row.id && b.operation === op)?.orders ?? 0])),
      conversion: row.started ? Math.round((row.completed / row.started) * 10_000) / 10_000 : null,
      failures: Object.fromEntries(reasons.filter((r) => row.kind === 'client' && r.period === row.period && r.client_id === row.id).map((r) => [r.reason, r.orders])),
    })),
  };
}

const COLUMNS = [
  'period', 'kind', 'id', 'started', 'completed', 'billable', 'failed', 'expired', 'cancelled', 'cancelled_by_person',
  'cancelled_by_broker', 'cancelled_by_janitor', 'qr', 'same_device', 'unique_persons', 'median_ms', 'p95_ms', 'conversion',
  'amount', 'currency',
] as const;

function cell(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The operations a report splits `billable` into: the tenant's billable ones, in its order. */
export function billableOperationsOf(report: UsageReport): string[] {
  return [...new Set([...report.billable_operations, ...report.rows.flatMap((r) => Object.keys(r.billable_by_operation))])];
}

/**
 * The report as CSV: one line per row of the JSON, billable orders as one `billable:<operation>` column per billable
 * operation, failures as one `failed:<reason>` column per reason.
 */
export function usageCsv(report: UsageReport): string {
  const reasons = [...new Set(report.rows.flatMap((r) => Object.keys(r.failures)))].sort();
  const operations = billableOperationsOf(report);
  const header = [...COLUMNS, ...operations.map((op) => `billable:${op}`), ...reasons.map((r) => `failed:${r}`)];
  const lines = report.rows.map((row) => [
    ...COLUMNS.map((c) => cell(row[c])),
    ...operations.map((op) => cell(row.billable_by_operation[op])),
    ...reasons.map((r) => cell(row.kind === 'client' ? row.failures[r] ?? 0 : '')),
  ].join(','));
  return `${[header.map(cell).join(','), ...lines].join('\r\n')}\r\n`;
}
