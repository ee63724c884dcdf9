/** The usage report and tariffs in the admin API: a month or a range of the tenant's days; a price from a day on. */
import { z } from 'zod';
import { isDay, monthDays } from '../../../usage/report.ts';

/** At most this many days per report: a year and a day covers any year. */
const MAX_DAYS = 366;
const day = z.string().refine(isDay, 'must be a date YYYY-MM-DD');

export const usageQuery = z.object({
  month: z.string().refine((m) => monthDays(m) !== undefined, 'must be a month YYYY-MM').optional().describe('A month in the tenant\'s time zone; or give `from` and `to`.'),
  from: day.optional().describe('First day (the tenant\'s time zone), inclusive.'),
  to: day.optional().describe('Last day, exclusive.'),
  by: z.enum(['day', 'month']).default('month').describe('One row per client and certificate per day or per month.'),
  format: z.enum(['json', 'csv']).default('json').describe('CSV has the same rows and numbers as JSON: billable orders as one `billable:<operation>` column per billable operation, failures as one `failed:<reason>` column each.'),
}).strict().superRefine((q, ctx) => {
  if (q.month !== undefined && (q.from !== undefined || q.to !== undefined)) ctx.addIssue({ code: 'custom', path: ['month'], message: 'give either month or from and to, not both' });
  if (q.month === undefined && (q.from === undefined || q.to === undefined)) ctx.addIssue({ code: 'custom', path: [q.from === undefined ? 'from' : 'to'], message: 'is required without month' });
  if (q.from !== undefined && q.to !== undefined && isDay(q.from) && isDay(q.to)) {
    const days = (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000;
    if (days <= 0 || days > MAX_DAYS) ctx.addIssue({ code: 'custom', path: ['to'], message: `must be after from, within ${MAX_DAYS} days` });
  }
});

const count = z.number().int();
export const usageReportSchema = z.object({
  tenant_id: z.string(),
  time_zone: z.string(),
  billable_operations: z.array(z.string()),
  from: z.string(),
  to: z.string(),
  by: z.enum(['day', 'month']),
  rows: z.array(z.object({
    period: z.string().describe('YYYY-MM or YYYY-MM-DD in the tenant\'s time zone.'),
    kind: z.enum(['client', 'certificate']),
    id: z.string().describe('The client id, or the certificate fingerprint (the unit BankID invoices).'),
    started: count, completed: count,
    billable: count.describe('Completed orders of the tenant\'s billable operations: what the bank invoices.'),
    billable_by_operation: z.record(z.string(), count).describe('`billable` per operation as the ledger names it: `auth` (identifications), `sign` (signatures), `payment`, …; every billable operation of the tenant, 0 included.'),
    failed: count, expired: count, cancelled: count,
    cancelled_by_person: count, cancelled_by_broker: count, cancelled_by_janitor: count, qr: count, same_device: count,
    unique_persons: count.nullable().describe('Null for days the retention fold has summed up.'),
    median_ms: count.nullable(), p95_ms: count.nullable(),
    conversion: z.number().nullable().describe('Completed of started.'),
    amount: z.string().nullable().describe('Billable transactions at the tariff of each day; null when a billable day has no tariff.'),
    currency: z.string().nullable(),
    failures: z.record(z.string(), count).describe('Failed orders by error or hint code (clients only).'),
  })),
});

export const tariffBody = z.object({
  valid_from: day.describe('The first day of the price, in the tenant\'s time zone.'),
  price: z.string().regex(/^\d{1,8}(\.\d{1,4})?$/, 'must be a decimal number such as 12.50').describe('Price per billable transaction.'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as SEK'),
}).strict();

export const tariffSchema = z.object({ valid_from: z.string(), price: z.string(), currency: z.string() });

export type UsageQueryInput = z.output<typeof usageQuery>;
export type TariffInput = z.output<typeof tariffBody>;
