/**
 * The usage report of a tenant for a month or a range of days: per client and per certificate (the unit BankID
 * invoices), with failures by reason, conversion, and the amount the tariff gives. JSON and CSV carry the same rows.
 */
import { BrokerError } from '../errors/catalogue.ts';
import type { Db } from '../storage/database.ts';
import { usageReasons, usageRows, usageSettings, type UsageRange, type UsageRow } from '../storage/usage.ts';

export interface UsageReportRow extends UsageRow {
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
  const [rows, reasons] = await Promise.all([usageRows(db, range), usageReasons(db, range)]);
  return {
    tenant_id: range.tenantId,
    time_zone: settings.timeZone,
    billable_operations: settings.billableOperations,
    from: range.from,
    to: range.to,
    by: range.by,
    rows: rows.map((row) => ({
      ...row,
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

/** The report as CSV: one line per row of the JSON, failures as one `failed:<reason>` column per reason. */
export function usageCsv(report: UsageReport): string {
  const reasons = [...new Set(report.rows.flatMap((r) => Object.keys(r.failures)))].sort();
  const header = [...COLUMNS, ...reasons.map((r) => `failed:${r}`)];
  const lines = report.rows.map((row) => [...COLUMNS.map((c) => cell(row[c])), ...reasons.map((r) => cell(row.kind === 'client' ? row.failures[r] ?? 0 : ''))].join(','));
  return `${[header.map(cell).join(','), ...lines].join('\r\n')}\r\n`;
}
