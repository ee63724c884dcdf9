/**
 * Rate limits held in Postgres (one statement per check, see RateLimitStore), with an in-process shortcut: once the
 * database has said a key is over its limit until T, this replica refuses that key until T without asking again,
 * so a flood from one address costs one statement per window, not one per request.
 */
import type { Counter, CounterState, RateLimitStore } from '../storage/rate-limits.ts';

export type { Counter, CounterState } from '../storage/rate-limits.ts';

export type Verdict =
  | { allowed: true }
  | {
    allowed: false;
    /** Seconds until every refusing window has ended. */
    retryAfterS: number;
    /** The keys over their limit. */
    refused: string[];
    /** This attempt is the first refused in its window (log it once, not for every attempt of a flood). */
    first: boolean;
  };

export interface LimiterOptions {
  now?: () => number;
  /** Most keys remembered as refused; a flood from many addresses cannot grow the map beyond it. */
  maxRemembered?: number;
  /** Told once per limit a request is refused by: its name (`start:ip`), never the key's address or id. */
  onRefused?: (limit: string) => void;
}

export class RateLimiter {
  readonly #store: Pick<RateLimitStore, 'hit'>;
  readonly #now: () => number;
  readonly #max: number;
  readonly #onRefused: (limit: string) => void;
  /** Key → epoch ms until which the database already refuses it. */
  readonly #refusedUntil = new Map<string, number>();

  constructor(store: Pick<RateLimitStore, 'hit'>, options: LimiterOptions = {}) {
    this.#store = store;
    this.#now = options.now ?? Date.now;
    this.#max = options.maxRemembered ?? 10_000;
    this.#onRefused = options.onRefused ?? (() => {});
  }

  /** Counts an attempt (see RateLimitStore.hit for own and shared counters) and says whether it may go ahead. */
  async check(own: Counter[], shared: Counter[] = []): Promise<Verdict> {
    return this.refusedAlready([...own, ...shared]) ?? this.judge(await this.count(own, shared));
  }

  /** Counts an attempt without judging it (see `judge`). */
  count(own: Counter[], shared: Counter[] = []): Promise<CounterState[]> {
    return this.#store.hit(own, shared);
  }

  /** The refusal of a key this replica already knows to be over its limit: no statement needed to say no. */
  refusedAlready(counters: Counter[]): Verdict | undefined {
    const now = this.#now();
    const known = counters.flatMap((c) => {
      const until = this.#refusedUntil.get(c.key);
      return until !== undefined && until > now ? [{ key: c.key, until }] : [];
    });
    return known.length ? this.#refusal(known, now, false) : undefined;
  }

  /** Whether an attempt whose counters were counted elsewhere (in a statement doing other work too) may go ahead. */
  judge(states: CounterState[]): Verdict {
    const now = this.#now();
    const over = states.filter((s) => s.count > s.max);
    if (!over.length) return { allowed: true };
    const refused = over.map((s) => ({ key: s.key, until: now + s.resetInMs }));
    for (const r of refused) this.#remember(r.key, r.until, now);
    return this.#refusal(refused, now, over.some((s) => s.count === s.max + 1));
  }

  #remember(key: string, until: number, now: number): void {
    if (this.#refusedUntil.size >= this.#max) {
      for (const [k, t] of this.#refusedUntil) if (t <= now) this.#refusedUntil.delete(k);
      // Still full of live entries: forget the oldest; the database still refuses it, at one statement a request.
      if (this.#refusedUntil.size >= this.#max) this.#refusedUntil.delete(this.#refusedUntil.keys().next().value!);
    }
    this.#refusedUntil.delete(key);
    this.#refusedUntil.set(key, until);
  }

  #refusal(refused: { key: string; until: number }[], now: number, first: boolean): Verdict {
    // A key is `scope:kind:value` (start:ip:…); the limit's name is its first two parts, never the address or id.
    for (const limit of new Set(refused.map((r) => r.key.split(':').slice(0, 2).join(':')))) this.#onRefused(limit);
    const until = Math.max(...refused.map((r) => r.until));
    return { allowed: false, retryAfterS: Math.max(1, Math.ceil((until - now) / 1000)), refused: refused.map((r) => r.key), first };
  }
}
