/** What a test reads as it arrives (stream messages), waited on by condition with a bound: never by sleeping. */
export class Inbox<T> {
  readonly items: T[] = [];
  ended = false;
  #cursor = 0;
  #wake: (() => void) | undefined;

  push(item: T): void {
    this.items.push(item);
    this.#wake?.();
  }

  end(): void {
    this.ended = true;
    this.#wake?.();
  }

  /** The next item (after those already taken) that satisfies `match`, waiting at most `timeoutMs` for it. */
  async next(match: (item: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      while (this.#cursor < this.items.length) {
        const item = this.items[this.#cursor++]!;
        if (match(item)) return item;
      }
      const left = deadline - performance.now();
      if (this.ended || left <= 0) throw new Error(`${what}: not received (${this.ended ? 'the stream ended' : 'timed out'}); got ${JSON.stringify(this.items.slice(-3))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => { clearTimeout(timer); resolve(); };
      });
      this.#wake = undefined;
    }
  }
}
