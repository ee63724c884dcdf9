/** The limiter's verdicts and its in-process shortcut, on a fake store and a controlled clock. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RateLimiter, type Counter } from '../../src/limits/limiter.ts';
import type { CounterState } from '../../src/storage/rate-limits.ts';

/** Counts like the database would (one window per key, ending `windowS` after its first attempt). */
class FakeStore {
  calls = 0;
  readonly #rows = new Map<string, { count: number; until: number }>();
  readonly #now: () => number;
  constructor(now: () => number) { this.#now = now; }
  async hit(own: Counter[], shared: Counter[] = []): Promise<CounterState[]> {
    this.calls++;
    const bump = (c: Counter): CounterState => {
      const now = this.#now();
      const row = this.#rows.get(c.key);
      const next = row && row.until > now ? { count: row.count + 1, until: row.until } : { count: 1, until: now + c.windowS * 1000 };
      this.#rows.set(c.key, next);
      return { key: c.key, count: next.count, max: c.max, resetInMs: next.until - now };
    };
    const mine = own.map(bump);
    return mine.some((s) => s.count > s.max) ? mine : [...mine, ...shared.map(bump)];
  }
}

function setup(maxRemembered?: number) {
  let now = 1_000_000;
  const store = new FakeStore(() => now);
  const limiter = new RateLimiter(store, { now: () => now, maxRemembered });
  return { store, limiter, advance: (ms: number) => { now += ms; } };
}

const ip = (key = 'ip:a'): Counter => ({ key, windowS: 60, max: 2 });

test('allowed up to the limit, then refused with the seconds until the window ends', async () => {
  const { limiter, advance } = setup();
  assert.deepEqual(await limiter.check([ip()]), { allowed: true });
  advance(10_000);
  assert.deepEqual(await limiter.check([ip()]), { allowed: true });
  const refused = await limiter.check([ip()]);
  assert.deepEqual(refused, { allowed: false, retryAfterS: 50, refused: ['ip:a'], first: true });
});

test('once refused, the key is refused in-process until its window ends, then the database decides again', async () => {
  const { store, limiter, advance } = setup();
  for (let i = 0; i < 3; i++) await limiter.check([ip()]);
  assert.equal(store.calls, 3);
  for (let i = 0; i < 100; i++) {
    const verdict = await limiter.check([ip()]);
    assert.equal(verdict.allowed, false);
    assert.equal(!verdict.allowed && verdict.first, false, 'only the first refusal of a window is marked first');
  }
  assert.equal(store.calls, 3, 'a flood costs no statement once refused');
  advance(60_000);
  assert.deepEqual(await limiter.check([ip()]), { allowed: true });
  assert.equal(store.calls, 4);
});

test('a refusal names every key over its limit and waits for the longest', async () => {
  const { limiter } = setup();
  const login: Counter = { key: 'interaction:x', windowS: 600, max: 1 };
  await limiter.check([ip(), login]);
  const verdict = await limiter.check([ip(), login]);
  assert.deepEqual(verdict, { allowed: false, retryAfterS: 600, refused: ['interaction:x'], first: true });
  const again = await limiter.check([ip(), login]);
  assert.equal(!again.allowed && again.retryAfterS, 600);
});

test('the memory of refused keys is bounded', async () => {
  const { limiter, store } = setup(3);
  for (let k = 0; k < 5; k++) for (let i = 0; i < 3; i++) await limiter.check([ip(`ip:${k}`)]);
  const calls = store.calls;
  // ip:0 and ip:1 were forgotten to make room: the database is asked (and still refuses); ip:4 is remembered.
  assert.equal((await limiter.check([ip('ip:0')])).allowed, false);
  assert.equal(store.calls, calls + 1);
  assert.equal((await limiter.check([ip('ip:4')])).allowed, false);
  assert.equal(store.calls, calls + 1);
});
