/**
 * Domain events: what happened, told once where it happens, for whoever listens (the metrics now, an audit ledger
 * later). Typed by name; a listener's failure never reaches the code that emitted. Payloads carry no personal data.
 */
export interface DomainEvents {
  /** One HTTP exchange with BankID's RP API: `ok`, `http_<status>`, `transport` (no answer) or `aborted`. */
  'bankid.call': { endpoint: string; outcome: string; durationS: number };
  'order.started': { clientId: string; startMethod: string };
  /** An order without a client (none is started so today) has clientId null. */
  'order.completed': { clientId: string | null; startMethod: string };
  /** BankID's hint code, or `cancelled` (we cancelled it) or the error code of a collect that gave up. */
  'order.failed': { clientId: string | null; startMethod: string; hintCode: string };
  /** A request refused by a rate limit; `limit` names the limit (e.g. `start:ip`), never the key's address or id. */
  'ratelimit.refused': { limit: string };
}

type Listener<K extends keyof DomainEvents> = (event: DomainEvents[K]) => void;

export class DomainEventBus {
  readonly #listeners = new Map<keyof DomainEvents, Set<Listener<never>>>();

  /** Subscribes; returns the unsubscribe. */
  on<K extends keyof DomainEvents>(name: K, listener: Listener<K>): () => void {
    const set = this.#listeners.get(name) ?? new Set();
    this.#listeners.set(name, set);
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  emit<K extends keyof DomainEvents>(name: K, event: DomainEvents[K]): void {
    for (const listener of this.#listeners.get(name) ?? []) {
      try {
        (listener as Listener<K>)(event);
      } catch {
        // A listener's own problem: the emitting request or order goes on.
      }
    }
  }
}

/** The process's bus: the BankID client, the order flow, the collector and the rate limiter tell it. */
export const domainEvents = new DomainEventBus();
