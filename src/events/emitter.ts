/**
 * One typed emitter for the domain events: the order flow and the OIDC side emit, subscribers (log lines, later
 * metrics and the audit trail) listen. A subscriber that throws is reported and never breaks the emitter's caller.
 */
import type { DomainEventMap, DomainEventName } from './types.ts';

type Listener<K extends DomainEventName> = (event: DomainEventMap[K]) => void;

export class DomainEvents {
  readonly #listeners = new Map<DomainEventName, Set<Listener<never>>>();
  readonly #onError: (err: unknown, name: DomainEventName) => void;

  constructor(onError: (err: unknown, name: DomainEventName) => void = () => {}) {
    this.#onError = onError;
  }

  /** Subscribes; returns the unsubscribe. */
  on<K extends DomainEventName>(name: K, listener: Listener<K>): () => void {
    const set = this.#listeners.get(name) ?? this.#listeners.set(name, new Set()).get(name)!;
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  emit<K extends DomainEventName>(name: K, event: DomainEventMap[K]): void {
    for (const listener of this.#listeners.get(name) ?? []) {
      try {
        (listener as Listener<K>)(event);
      } catch (err) {
        this.#onError(err, name);
      }
    }
  }
}
