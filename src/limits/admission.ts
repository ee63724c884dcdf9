/**
 * Admission control in front of everything that touches the database: at most `maxInFlight` requests run at once,
 * up to `maxQueued` more wait (pages watching an order ahead of new arrivals) for at most `maxWaitMs`, and anything
 * beyond is refused at once with 503 "busy" and Retry-After. A refused request has done nothing, so nothing
 * half-done is lost, and refusing costs little, so an overloaded broker still answers within `maxWaitMs`.
 */
import type { Context, Middleware } from 'koa';
import { BrokerError } from '../errors/catalogue.ts';
import type { Logger } from '../observability/logger.ts';

export interface AdmissionOptions {
  maxInFlight: number;
  maxQueued: number;
  maxWaitMs: number;
  /** Requests for someone already waiting (a page polling its order): served before new work, refused last. */
  urgent(ctx: Context): boolean;
  logger: Logger;
  now?: () => number;
}

/** Seconds a refused browser or program is told to wait; the login page's script retries after 2 s anyway. */
export const BUSY_RETRY_AFTER_S = 2;

/** Refusals are logged as one warning at most this often, with their count. */
const WARN_EVERY_MS = 10_000;

interface Waiter {
  admit(admitted: boolean): void;
}

export class Admission {
  readonly #o: AdmissionOptions;
  readonly #now: () => number;
  readonly #urgent: Waiter[] = [];
  readonly #normal: Waiter[] = [];
  #inFlight = 0;
  #lastRefusal = -Infinity;
  #lastWarning = -Infinity;
  #refusedSinceWarning = 0;

  constructor(options: AdmissionOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Whether a request was refused within the last `ms`. A refused poll never reached the database, so its order's
   * last poll looks older than it is: the order janitor waits until no page has been refused for its idle time.
   */
  refusedWithin(ms: number): boolean {
    return this.#now() - this.#lastRefusal < ms;
  }

  /** Requests waiting for a place now. */
  get queued(): number {
    return this.#urgent.length + this.#normal.length;
  }

  middleware(): Middleware {
    return async (ctx, next) => {
      if (!(await this.#enter(ctx))) {
        this.#refused();
        throw new BrokerError('busy', 'the broker is busy: request refused', { retryAfterS: BUSY_RETRY_AFTER_S });
      }
      try {
        await next();
      } finally {
        this.#leave();
      }
    };
  }

  #enter(ctx: Context): Promise<boolean> | boolean {
    if (this.#inFlight < this.#o.maxInFlight && !this.#urgent.length && !this.#normal.length) {
      this.#inFlight++;
      return true;
    }
    const urgent = this.#o.urgent(ctx);
    if (this.queued >= this.#o.maxQueued) {
      // A full queue makes room for a watching page by refusing the newest new arrival.
      if (!urgent || !this.#normal.length) return false;
      this.#normal.pop()!.admit(false);
    }
    return new Promise<boolean>((resolve) => {
      const queue = urgent ? this.#urgent : this.#normal;
      const gone = () => { waiter.admit(false); };
      const timer = setTimeout(gone, this.#o.maxWaitMs);
      const waiter: Waiter = {
        admit: (admitted) => {
          clearTimeout(timer);
          ctx.res.off('close', gone);
          const at = queue.indexOf(waiter);
          if (at >= 0) queue.splice(at, 1);
          if (admitted) this.#inFlight++;
          resolve(admitted);
        },
      };
      // The person gave up (closed the tab, the connection dropped): no slot for nobody.
      ctx.res.once('close', gone);
      queue.push(waiter);
    });
  }

  #leave(): void {
    this.#inFlight--;
    (this.#urgent[0] ?? this.#normal[0])?.admit(true);
  }

  #refused(): void {
    const now = this.#now();
    this.#lastRefusal = now;
    this.#refusedSinceWarning++;
    if (now - this.#lastWarning < WARN_EVERY_MS) return;
    this.#o.logger.warn({ refused: this.#refusedSinceWarning, inFlight: this.#inFlight, queued: this.queued }, 'busy: requests refused');
    this.#lastWarning = now;
    this.#refusedSinceWarning = 0;
  }
}
