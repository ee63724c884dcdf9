/** A Map kept in order of use: when full, the least recently used entry makes room. */
export class Lru<T> {
  readonly #max: number;
  readonly #map = new Map<string, T>();
  constructor(max: number) { this.#max = max; }
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
    if (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value!);
  }
  delete(key: string): void { this.#map.delete(key); }
  deleteWhere(matches: (value: T) => boolean): void {
    for (const [key, value] of this.#map) if (matches(value)) this.#map.delete(key);
  }
  clear(): void { this.#map.clear(); }
}
