/**
 * Usage reports from the ledger (and the daily totals the fold left of older months), per tenant, per day or month
 * in the tenant's time zone: the bucketing is done here with `AT TIME ZONE`, so month boundaries and DST are the
 * database's, not the server's. Also the tenant's usage settings and tariffs.
 */
import { sql } from 'kysely';
import type { Db } from './database.ts';

export interface UsageRange {
  tenantId: string;
  /** First local day (YYYY-MM-DD), inclusive. */
  from: string;
  /** Last local day (YYYY-MM-DD), exclusive. */
  to: string;
  by: 'day' | 'month';
}

/** One period and client (or certificate): counts as numbers; null where the fold kept no detail. */
export interface UsageRow {
  period: string;
  kind: 'client' | 'certificate';
  id: string;
  started: number;
  completed: number;
  billable: number;
  failed: number;
  expired: number;
  cancelled: number;
  cancelled_by_person: number;
  cancelled_by_broker: number;
  cancelled_by_janitor: number;
  qr: number;
  same_device: number;
  unique_persons: number | null;
  median_ms: number | null;
  p95_ms: number | null;
  /** Billable × the tariff of each day; null without a tariff for some billable day. */
  amount: string | null;
  currency: string | null;
}

export interface UsageReason { period: string; client_id: string; reason: string; orders: number }

/** Billable orders of one operation (`auth`, `sign`, …, as the ledger names it) per period and client or certificate. */
export interface UsageBillable { period: string; kind: UsageRow['kind']; id: string; operation: string; orders: number }

export interface UsageSettings { timeZone: string; billableOperations: string[] }

export interface Tariff { validFrom: string; price: string; currency: string }

/** The rows of the range (ledger rows and folded totals alike), each with its local day, billability and price. */
function priced(range: UsageRange) {
  return sql`
    with t as (select time_zone as tz, billable_operations as billable from tenants where id = ${range.tenantId}),
    prices as (
      select valid_from, lead(valid_from) over (order by valid_from) as valid_to, price, currency
      from tenant_tariffs where tenant_id = ${range.tenantId}
    ),
    rows as (
      select (l.finished_at at time zone t.tz)::date as day, coalesce(l.client_id, '') as client_id, l.rp_certificate,
             l.operation, l.start_method, l.outcome,
             case when l.outcome = 'failed' then coalesce(l.error_code, l.hint_code, '') else '' end as reason,
             coalesce(l.cancelled_by, '') as cancelled_by, 1 as orders, l.person_key, l.duration_ms, true as detailed
      from usage_ledger l cross join t
      where l.tenant_id = ${range.tenantId}
        and l.finished_at >= (${range.from}::timestamp at time zone t.tz) and l.finished_at < (${range.to}::timestamp at time zone t.tz)
      union all
      select d.day, d.client_id, d.rp_certificate, d.operation, d.start_method, d.outcome, d.reason, d.cancelled_by, d.orders,
             null, null, false
      from usage_daily_totals d
      where d.tenant_id = ${range.tenantId} and d.day >= ${range.from}::date and d.day < ${range.to}::date
    ),
    priced as (
      select r.*, to_char(date_trunc(${range.by}, r.day::timestamp), ${range.by === 'day' ? 'YYYY-MM-DD' : 'YYYY-MM'}) as period,
             -- A phone order (phone_auth, phone_sign) is billable when its operation is (auth, sign), or listed by its own name.
             (r.outcome = 'complete' and (r.operation = any(t.billable) or replace(r.operation, 'phone_', '') = any(t.billable))) as billable,
             p.price, p.currency
      from rows r cross join t
      left join prices p on r.day >= p.valid_from and (p.valid_to is null or r.day < p.valid_to)
    )`;
}

const count = (filter: string) => sql.raw(`coalesce(sum(orders) filter (where ${filter}), 0)::int`);

export async function usageRows(db: Db, range: UsageRange): Promise<UsageRow[]> {
  const result = await sql<UsageRow>`${priced(range)}
    select period, case when grouping(client_id) = 0 then 'client' else 'certificate' end as kind,
           case when grouping(client_id) = 0 then client_id else rp_certificate end as id,
           coalesce(sum(orders), 0)::int as started,
           ${count(`outcome = 'complete'`)} as completed,
           ${count('billable')} as billable,
           ${count(`outcome = 'failed'`)} as failed,
           ${count(`outcome = 'expired'`)} as expired,
           ${count(`outcome = 'cancelled'`)} as cancelled,
           ${count(`cancelled_by = 'person'`)} as cancelled_by_person,
           ${count(`cancelled_by = 'broker'`)} as cancelled_by_broker,
           ${count(`cancelled_by = 'janitor'`)} as cancelled_by_janitor,
           ${count(`start_method = 'qr'`)} as qr,
           ${count(`start_method = 'same_device'`)} as same_device,
           case when bool_and(detailed) then count(distinct person_key)::int end as unique_persons,
           case when bool_and(detailed) then round(percentile_cont(0.5) within group (order by duration_ms) filter (where outcome = 'complete'))::int end as median_ms,
           case when bool_and(detailed) then round(percentile_cont(0.95) within group (order by duration_ms) filter (where outcome = 'complete'))::int end as p95_ms,
           case when bool_and(price is not null) filter (where billable) is not false
             then coalesce(sum(orders * price) filter (where billable), 0)::numeric(14, 2)::text end as amount,
           min(currency) as currency
    from priced
    group by grouping sets ((period, client_id), (period, rp_certificate))
    order by period, kind desc, id`.execute(db);
  return result.rows;
}

/** Failed orders per period, client and reason (the error code, else BankID's hint code). */
export async function usageReasons(db: Db, range: UsageRange): Promise<UsageReason[]> {
  const result = await sql<UsageReason>`${priced(range)}
    select period, client_id, reason, sum(orders)::int as orders from priced where outcome = 'failed'
    group by period, client_id, reason order by period, client_id, reason`.execute(db);
  return result.rows;
}

/** Billable orders per period, client or certificate, and operation: whatever operations the ledger holds. */
export async function usageBillable(db: Db, range: UsageRange): Promise<UsageBillable[]> {
  const result = await sql<UsageBillable>`${priced(range)}
    select period, case when grouping(client_id) = 0 then 'client' else 'certificate' end as kind,
           case when grouping(client_id) = 0 then client_id else rp_certificate end as id, operation, sum(orders)::int as orders
    from priced where billable
    group by grouping sets ((period, client_id, operation), (period, rp_certificate, operation))
    order by period, kind desc, id, operation`.execute(db);
  return result.rows;
}

export async function usageSettings(db: Db, tenantId: string): Promise<UsageSettings | undefined> {
  const row = await db.selectFrom('tenants').select(['time_zone', 'billable_operations']).where('id', '=', tenantId).executeTakeFirst();
  return row && { timeZone: row.time_zone, billableOperations: row.billable_operations };
}

export async function tariffs(db: Db, tenantId: string): Promise<Tariff[]> {
  const rows = await db.selectFrom('tenant_tariffs').select([sql<string>`to_char(valid_from, 'YYYY-MM-DD')`.as('valid_from'), sql<string>`price::text`.as('price'), 'currency'])
    .where('tenant_id', '=', tenantId).orderBy('valid_from').execute();
  return rows.map((r) => ({ validFrom: r.valid_from, price: r.price, currency: r.currency }));
}

/** Adds a tariff, or replaces the one from the same day. */
export async function putTariff(db: Db, tenantId: string, tariff: Tariff): Promise<void> {
  await db.insertInto('tenant_tariffs').values({ tenant_id: tenantId, valid_from: tariff.validFrom, price: tariff.price, currency: tariff.currency })
    .onConflict((oc) => oc.columns(['tenant_id', 'valid_from']).doUpdateSet({ price: tariff.price, currency: tariff.currency }))
    .execute();
}
