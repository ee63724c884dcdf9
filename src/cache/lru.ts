/** A Map kept in order of use: when full, the least recently used entry makes room. */
export class Lru<T> {
  readonly #max: number;
  readonly #evicted: ((key: string, value: T) => void) | undefined;
  readonly #map = new Map<string, T>();
  /** `evicted` hears of each entry that made room (not of deletes). */
  constructor(max: number, evicted?: (key: string, value: T) => void) {
    this.#max = max;
    this.#evicted = evicted;
  }
  get size(): number { return this.#map.size; }
  get(key: string): T | undefined {
    const value = this.#map.get(key);
    if (value !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, value);
    }
    return value;
  }
  set(key: string, value: T): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size <= this.#max) return;
    const [oldest, old] = this.#map.entries().next().value!;
    this.#map.delete(oldest);
    this.#evicted?.(oldest, old);
  }
  delete(key: string): void { this.#map.delete(key); }
  deleteWhere(matches: (value: T) => boolean): void {
    for (const [key, value] of this.#map) if (matches(value)) this.#map.delete(key);
  }
  clear(): void { this.#map.clear(); }
}
