/**
 * Rate-limit counters in Postgres, so a limit holds across replicas. Counting is one statement however many keys a
 * check has: every key's row is upserted and its count returned. A window is fixed: it starts with a key's first
 * attempt and lasts `windowS`; the first attempt after it restarts the count in the same row.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from './database.ts';

export interface RateLimitsTable {
  key: string;
  count: number;
  expires_at: Date;
}

export interface Counter {
  key: string;
  windowS: number;
  /** Attempts allowed in one window. */
  max: number;
}

export interface CounterState {
  key: string;
  /** Attempts in the current window, this one included. */
  count: number;
  max: number;
  /** Milliseconds until the window ends, by the database clock. */
  resetInMs: number;
}

/** The upsert of the keys of `v` that `where` selects; a key whose window has ended starts again at 1. */
const bump = (where: RawBuilder<unknown>) => sql`
  insert into rate_limits as r (key, count, expires_at)
  select key, 1, now() + make_interval(secs => window_s) from v where ${where}
  on conflict (key) do update set
    count = case when r.expires_at <= now() then 1 else r.count + 1 end,
    expires_at = case when r.expires_at <= now() then excluded.expires_at else r.expires_at end
  returning r.key, r.count, r.expires_at`;

/** Counters as the rows of `v` (key, window_s, lim, is_shared): a VALUES list that other rows may be added to. */
export function counterRows(own: Counter[], shared: Counter[] = []): RawBuilder<unknown> {
  const row = (c: Counter, isShared: boolean) => sql`(${c.key}::text, ${c.windowS}::int, ${c.max}::int, ${isShared}::boolean)`;
  return sql`values ${sql.join([...own.map((c) => row(c, false)), ...shared.map((c) => row(c, true))])}`;
}

/**
 * The CTEs that count one attempt against each counter of `rows` (see counterRows): first the requester's own
 * counters and, only if none of those is over its limit, each shared one. A requester who is refused anyway must not
 * use up what everybody else shares (one address spamming a client's per-minute budget would otherwise lock out all
 * its users). `COUNTED` selects what they counted; another statement may carry them (interaction-context.ts).
 */
export const counting = (rows: RawBuilder<unknown>) => sql`
  v (key, window_s, lim, is_shared) as (${rows}),
  own as (${bump(sql`not is_shared`)}),
  wide as (${bump(sql`is_shared and not exists (select from own join v using (key) where own.count > v.lim)`)})`;

/** Each counted key with its count, limit and the milliseconds left of its window (by the database clock). */
export const COUNTED = sql`
  select key, count, lim, (extract(epoch from expires_at - now()) * 1000)::float8 as reset_in_ms
  from (select * from own union all select * from wide) as hit join v using (key)`;

/** After `counting`: no counter is over its limit (for writes that may happen only then, in the same statement). */
export const WITHIN_LIMITS = sql`not exists (select from (select * from own union all select * from wide) as hit join v using (key) where hit.count > v.lim)`;

export interface CountedRow { key: string; count: number; lim: number; reset_in_ms: number }

export const counterState = (r: CountedRow): CounterState => ({ key: r.key, count: r.count, max: r.lim, resetInMs: Math.max(0, r.reset_in_ms) });

export class RateLimitStore {
  readonly #db: Db;
  constructor(db: Db) { this.#db = db; }

  #table() {
    return this.#db.withTables<{ rate_limits: RateLimitsTable }>();
  }

  /** Counts one attempt against each of the requester's own counters and then the shared ones (see `counting`). One statement. */
  async hit(own: Counter[], shared: Counter[] = []): Promise<CounterState[]> {
    const result = await sql<CountedRow>`with ${counting(counterRows(own, shared))} ${COUNTED}`.execute(this.#db);
    return result.rows.map(counterState);
  }

  /** Deletes up to `limit` counters whose window has ended; returns how many. */
  async purgeExpired(limit: number): Promise<number> {
    const db = this.#table();
    const result = await db.deleteFrom('rate_limits')
      .where('key', 'in', db.selectFrom('rate_limits').select('key').where('expires_at', '<', sql<Date>`now()`).limit(limit))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
