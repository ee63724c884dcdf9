/**
 * What the order page's render polled, kept for a moment on this replica, so the page's event stream, which its
 * script opens a few milliseconds later, need not poll again (issue 7: statements per login). Taken once, by the
 * stream's opening only.
 *
 * Why that is safe: the render's statement did what the stream's poll would do (marked the order seen, cleared its
 * page's `left_at`, returned the row) moments before. What can change after it, its status or hint, is notified by
 * the database (migration 0009). A notification counts against an entry when it arrived after a mark taken before the
 * render's statement was sent (one racing that statement counts too): the entry is then not used and the stream
 * polls. One arriving after the stream opened finds it in the stream hub, which re-reads the order. The page's beacon
 * on this replica counts like a notification (only a poll clears `left_at`); a beacon on another replica is of a page
 * already gone, whose stream, if it still opens, closes with it. After the listening connection came back,
 * notifications may have been lost: everything remembered before then is forgotten.
 */
import { Lru } from '../cache/lru.ts';
import type { PolledOrder } from '../storage/orders.ts';
import { requestScope } from '../storage/request-scope.ts';

export interface RecentRendersOptions {
  /** This process's clock in ms (tests move it). Default Date.now. */
  now?: () => number;
  /** Entries, and orders whose last notification is kept, at most each. Default 4096. */
  max?: number;
}

/**
 * How long an entry may be used: the page's script opens its stream as soon as the page has loaded. Short, since the
 * render's `last_seen_at` then stands until the streams' liveness statement (every 10 s; the janitor waits 30 s).
 */
const TTL_MS = 3000;

interface Remembered {
  row: PolledOrder;
  /** The number the next notification was to get when the render's statement was sent: from it on, they count. */
  mark: number;
  /** This process's clock when the row was read. */
  readAt: number;
}

export class RecentRenders {
  readonly #now: () => number;
  readonly #renders: Lru<Remembered>;
  /** The sequence number of each recently notified order's last notification. */
  readonly #notified: Lru<number>;
  /** Marks taken by the request that is about to send a render's statement, per interaction. */
  readonly #marks = new WeakMap<object, Map<string, number>>();
  #sequence = 0;
  /** Entries marked before this cannot be checked: their order's notification was forgotten, or lost. */
  #floor = 0;

  constructor(options: RecentRendersOptions = {}) {
    this.#now = options.now ?? Date.now;
    const max = options.max ?? 4096;
    this.#renders = new Lru(max);
    this.#notified = new Lru(max, (_orderId, sequence) => { this.#floor = Math.max(this.#floor, sequence + 1); });
  }

  /** This request is about to send the statement whose row `requestMark` will want; the first mark counts. */
  markRequest(interactionId: string): void {
    const scope = requestScope();
    if (!scope) return;
    let marks = this.#marks.get(scope);
    if (!marks) this.#marks.set(scope, (marks = new Map()));
    if (!marks.has(interactionId)) marks.set(interactionId, this.#sequence);
  }

  /** The mark this request took before its statement; undefined: none was (nothing may be remembered). */
  requestMark(interactionId: string): number | undefined {
    const scope = requestScope();
    return scope && this.#marks.get(scope)?.get(interactionId);
  }

  remember(interactionId: string, row: PolledOrder, mark: number): void {
    this.#renders.set(interactionId, { row, mark, readAt: this.#now() });
  }

  /**
   * The interaction's remembered row, once: only while fresh and nothing was notified of its order since the mark;
   * `dbNow` is the database clock now, as a poll now would have returned it.
   */
  take(interactionId: string): { row: PolledOrder; dbNow: Date } | undefined {
    const entry = this.#renders.get(interactionId);
    if (!entry) return undefined;
    this.#renders.delete(interactionId);
    const elapsed = this.#now() - entry.readAt;
    if (elapsed < 0 || elapsed > TTL_MS || entry.mark < this.#floor) return undefined;
    if ((this.#notified.get(entry.row.id) ?? -1) >= entry.mark) return undefined;
    return { row: entry.row, dbNow: new Date(entry.row.db_now.getTime() + elapsed) };
  }

  /** A notification (or this replica's own beacon) for the order: a render marked before it is not used. */
  changed(orderId: string): void {
    this.#notified.set(orderId, this.#sequence++);
  }

  /** Notifications may have been lost: nothing marked before now is used. */
  resync(): void {
    this.#floor = ++this.#sequence;
    this.#renders.clear();
  }
}
