/**
 * The usage page's view of the admin API's usage report: the month's table per client and per certificate (the unit
 * BankID invoices) with totals, and the data of the daily volume and outcome-mix charts.
 */
import { billableOperationsOf, type UsageReport, type UsageReportRow } from '../usage/report.ts';
import { barChart, type BarChart } from './charts.ts';

/** The month `YYYY-MM` it is at `now` in `timeZone`. */
export function monthAt(now: Date, timeZone: string): string {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' }).formatToParts(now).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}`;
}

/** The month before or after `month`. */
export function monthAfter(month: string, by: number): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, m - 1 + by, 1)).toISOString().slice(0, 7);
}

const SCALE = 10_000n;
/** The sum of decimal amounts (the tariff's up to 4 decimals) without floating point; null when any is null. */
export function sumAmounts(amounts: readonly (string | null)[]): string | null {
  let total = 0n;
  for (const amount of amounts) {
    if (amount === null) return null;
    const [whole, fraction = ''] = amount.split('.');
    total += BigInt(whole!) * SCALE + BigInt(fraction.padEnd(4, '0').slice(0, 4));
  }
  const fraction = (total % SCALE).toString().padStart(4, '0').replace(/0+$/, '').padEnd(2, '0');
  return `${total / SCALE}.${fraction}`;
}

export interface UsageView {
  clients: UsageReportRow[];
  certificates: UsageReportRow[];
  /** The operations `billable` is split into (identifications, signatures, …), a column each. */
  operations: string[];
  total: { billable: number; billableByOperation: Record<string, number>; amount: string | null; currency: string | null };
  daily: BarChart;
  /** The month's orders by outcome: completed, failed, cancelled, expired. */
  mix: BarChart;
}

const OUTCOMES = ['completed', 'failed', 'cancelled', 'expired'] as const;

export function usageView(month: UsageReport, daily: UsageReport): UsageView {
  const clients = month.rows.filter((r) => r.kind === 'client');
  const certificates = month.rows.filter((r) => r.kind === 'certificate');
  const days = new Map<string, { completed: number; other: number }>();
  for (let day = daily.from; day < daily.to; day = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)) days.set(day, { completed: 0, other: 0 });
  for (const row of daily.rows) {
    const day = days.get(row.period);
    if (row.kind !== 'client' || !day) continue;
    day.completed += row.completed;
    day.other += row.started - row.completed;
  }
  const sum = (key: (typeof OUTCOMES)[number] | 'billable') => clients.reduce((a, r) => a + r[key], 0);
  const operations = billableOperationsOf(month);
  return {
    clients, certificates, operations,
    total: {
      billable: sum('billable'),
      billableByOperation: Object.fromEntries(operations.map((op) => [op, clients.reduce((a, r) => a + (r.billable_by_operation[op] ?? 0), 0)])),
      amount: sumAmounts(clients.map((r) => r.amount)),
      currency: clients.find((r) => r.currency)?.currency ?? null,
    },
    daily: barChart([...days].map(([day, v]) => ({ label: day, values: [v.completed, v.other] }))),
    mix: barChart(OUTCOMES.map((outcome) => ({ label: outcome, values: [sum(outcome)] }))),
  };
}
