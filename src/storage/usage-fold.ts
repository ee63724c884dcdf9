/**
 * The usage ledger's retention: rows of whole months (in the tenant's time zone) older than the kept period are
 * folded into daily totals, in one statement that deletes them and adds their counts, so the totals always equal
 * the rows they replaced and a second run finds nothing to fold. The ledger's trigger lets only this delete.
 */
import { sql } from 'kysely';
import type { Db } from './database.ts';

/** A tenant's report time zone: its own, else Stockholm's (a row of a tenant since removed). */
export const ZONE_OF_TENANT = sql`coalesce((select t.time_zone from tenants t where t.id = l.tenant_id), 'Europe/Stockholm')`;

/** Folds up to `limit` ledger rows finished before the start of the month `months` months ago; returns how many. */
export async function foldLedger(db: Db, months: number, limit: number): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await sql`select set_config('brygga.ledger_fold', 'on', true)`.execute(trx);
    const result = await sql<{ n: string }>`
      with gone as (
        delete from usage_ledger where order_id in (
          select l.order_id from usage_ledger l
          where l.finished_at < (date_trunc('month', now() at time zone ${ZONE_OF_TENANT}) - make_interval(months => ${months})) at time zone ${ZONE_OF_TENANT}
          limit ${limit} for update skip locked)
        returning *
      ), added as (
        insert into usage_daily_totals as d (tenant_id, day, client_id, rp_certificate, operation, start_method, outcome, reason, cancelled_by, orders)
        select l.tenant_id, (l.finished_at at time zone ${ZONE_OF_TENANT})::date, coalesce(l.client_id, ''), l.rp_certificate, l.operation,
               l.start_method, l.outcome, case when l.outcome = 'failed' then coalesce(l.error_code, l.hint_code, '') else '' end,
               coalesce(l.cancelled_by, ''), count(*)
        from gone l group by 1, 2, 3, 4, 5, 6, 7, 8, 9
        on conflict (tenant_id, day, client_id, rp_certificate, operation, start_method, outcome, reason, cancelled_by)
        do update set orders = d.orders + excluded.orders
      )
      select count(*) as n from gone`.execute(trx);
    return Number(result.rows[0]!.n);
  });
}
