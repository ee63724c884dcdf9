/**
 * Writes of oidc-provider entities, and their batching within one provider request. Finishing a login writes four
 * entities (the interaction deleted; the grant, the code and the session saved), a code exchange two (the code
 * consumed, the access token saved); in a batch they go to the database as one statement when the request's handling
 * ends, before its response is sent, together with the writes of other tables that belong with them (`also`: the
 * login the code speaks for). A read that has to ask the database, or a write that is not one entity's
 * (revokeByGrantId), sends what is pending first, so the request always sees its own writes.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { sql, type RawBuilder } from 'kysely';
import type { Db } from './database.ts';
import { COUNTED, counterRows, counterState, counting, WITHIN_LIMITS, type Counter, type CounterState, type CountedRow } from './rate-limits.ts';

/** An entity as stored: the payload as jsonb text and the columns it is looked up by. */
export interface EntityRow {
  payload: string;
  grant_id: string | null;
  uid: string | null;
  user_code: string | null;
  /** Seconds from now (by the database clock); undefined: no expiry. */
  expiresIn: number | undefined;
}

/** What becomes of one entity. Several writes of one entity in a request fold into the last state. */
type Write =
  | { op: 'upsert'; row: EntityRow; consumed: boolean }
  | { op: 'destroy' }
  | { op: 'consume' };

interface Keyed { model: string; id: string; write: Write }

const keyList = (writes: Keyed[]) => sql.join(writes.map((w) => sql`(${w.model}, ${w.id})`));

// The database clock, not this replica's, so expiry agrees with the `now()` every lookup compares against.
const expiry = (seconds: number | undefined) => (seconds === undefined ? sql`null::timestamptz` : sql`now() + make_interval(secs => ${seconds})`);

/**
 * Rate-limit counters that a request counts with the entity writes it makes (the authorization request: its address
 * with the interaction it stores), so counting costs no statement of its own. The counts are known once the writes
 * are sent; a request that writes nothing counts when its batch ends.
 */
export class CountWithWrites {
  readonly own: Counter[];
  #counted: CounterState[] | undefined;

  constructor(own: Counter[]) { this.own = own; }

  /** What was counted; undefined until a statement counted it. */
  get counted(): CounterState[] | undefined { return this.#counted; }

  #take(rows: CountedRow[]): CounterState[] {
    return (this.#counted = rows.map(counterState));
  }

  /** For the batch's statement: the counting CTEs, and where its rows go. */
  static riding(tally: CountWithWrites | undefined): { ctes: RawBuilder<unknown>; take(rows: CountedRow[]): void } | undefined {
    if (!tally || tally.#counted) return undefined;
    return { ctes: counting(counterRows(tally.own)), take: (rows) => tally.#take(rows) };
  }
}

const counts = new AsyncLocalStorage<CountWithWrites>();

/** Runs `fn` (a request to the provider) with `tally` counted by its batched writes (see CountWithWrites). */
export function withCountedWrites<T>(tally: CountWithWrites, fn: () => Promise<T>): Promise<T> {
  return counts.run(tally, fn);
}

/**
 * One statement for any set of writes of distinct entities and other writes: data-modifying CTEs, the last part as
 * the main statement. The parts see the same snapshot, so none may depend on another's effect. With `counting`, the
 * rate limits are counted first, the entity writes happen only if no counter is over its limit (a refused request
 * stores nothing), and the statement returns what was counted.
 */
function statementFor(writes: Keyed[], others: RawBuilder<unknown>[], counting?: RawBuilder<unknown>): RawBuilder<unknown> {
  const byOp = (op: Write['op']) => writes.filter((w) => w.write.op === op);
  const allowed = counting ? sql`and ${WITHIN_LIMITS}` : sql``;
  const parts: RawBuilder<unknown>[] = [...others];
  const destroyed = byOp('destroy');
  if (destroyed.length) parts.push(sql`delete from oidc_payload where (model, id) in (${keyList(destroyed)}) ${allowed}`);
  const consumed = byOp('consume');
  if (consumed.length) parts.push(sql`update oidc_payload set consumed_at = coalesce(consumed_at, now()) where (model, id) in (${keyList(consumed)}) ${allowed}`);
  const saved = byOp('upsert') as (Keyed & { write: Extract<Write, { op: 'upsert' }> })[];
  if (saved.length) {
    const rows = saved.map(({ model, id, write: { row, consumed: used } }) =>
      sql`(${model}, ${id}, ${row.payload}::jsonb, ${row.grant_id}, ${row.uid}, ${row.user_code}, ${expiry(row.expiresIn)}, ${used ? sql`now()` : sql`null::timestamptz`})`);
    // A replaced entity starts unconsumed, as in the library's reference adapter.
    parts.push(sql`insert into oidc_payload (model, id, payload, grant_id, uid, user_code, expires_at, consumed_at)
      select * from (values ${sql.join(rows)}) as entity where true ${allowed}
      on conflict (model, id) do update set payload = excluded.payload, grant_id = excluded.grant_id, uid = excluded.uid,
        user_code = excluded.user_code, expires_at = excluded.expires_at, consumed_at = excluded.consumed_at`);
  }
  const named = (list: RawBuilder<unknown>[]) => sql.join(list.map((part, i) => sql`${sql.raw(`w${i}`)} as (${part})`));
  if (counting) return sql`with ${counting}${parts.length ? sql`, ${named(parts)}` : sql``} ${COUNTED}`;
  const main = parts.pop()!;
  if (!parts.length) return main;
  return sql`with ${named(parts)} ${main}`;
}

export class PendingWrites {
  readonly #db: Db;
  readonly #writes = new Map<string, Keyed>();
  readonly #others: RawBuilder<unknown>[] = [];
  readonly #tally: CountWithWrites | undefined;
  /** Off: every write goes to the database at once (outside a batch, or after the batch has been sent). */
  #batching: boolean;

  constructor(db: Db, batching: boolean, tally?: CountWithWrites) {
    this.#db = db;
    this.#batching = batching;
    this.#tally = tally;
  }

  upsert(model: string, id: string, row: EntityRow): Promise<void> {
    return this.#add(model, id, { op: 'upsert', row, consumed: false });
  }

  destroy(model: string, id: string): Promise<void> {
    return this.#add(model, id, { op: 'destroy' });
  }

  consume(model: string, id: string): Promise<void> {
    const pending = this.#writes.get(`${model}\0${id}`)?.write;
    if (pending?.op === 'upsert') {
      pending.consumed = true;
      return Promise.resolve();
    }
    return pending?.op === 'destroy' ? Promise.resolve() : this.#add(model, id, { op: 'consume' });
  }

  /**
   * A write of another table that belongs with the entity writes (one plain INSERT, UPDATE or DELETE, no WITH of its
   * own): sent in their statement, so it costs none of its own and happens exactly when they do.
   */
  also(write: RawBuilder<unknown>): Promise<void> {
    this.#others.push(write);
    return this.#batching ? Promise.resolve() : this.flush();
  }

  /** Sends what is pending, as one statement; the request's counters ride along with the first writes (or the end). */
  async flush(ending = false): Promise<void> {
    if (!this.#writes.size && !this.#others.length && !ending) return;
    const riding = CountWithWrites.riding(this.#tally);
    if (!this.#writes.size && !this.#others.length && !riding) return;
    const writes = [...this.#writes.values()];
    const others = this.#others.splice(0);
    this.#writes.clear();
    const result = await statementFor(writes, others, riding?.ctes).execute(this.#db);
    riding?.take(result.rows as CountedRow[]);
  }

  /** The batch is over: what is pending is sent, and later writes (work the request left running) go at once. */
  async close(): Promise<void> {
    this.#batching = false;
    await this.flush(true);
  }

  async #add(model: string, id: string, write: Write): Promise<void> {
    this.#writes.set(`${model}\0${id}`, { model, id, write });
    if (!this.#batching) await this.flush();
  }
}

const current = new AsyncLocalStorage<PendingWrites>();

/** Runs `fn` (a provider request's handling) with its entity writes batched, and sends them when it ends. */
export async function withBatchedWrites<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  const batch = new PendingWrites(db, true, counts.getStore());
  try {
    return await current.run(batch, fn);
  } finally {
    await batch.close();
  }
}

/** Where an entity write goes: the current batch, or straight to the database. */
export function entityWrites(db: Db): PendingWrites {
  return current.getStore() ?? new PendingWrites(db, false);
}
