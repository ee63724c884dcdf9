import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randomBase64, randomHex } from '../../src/security/random.ts';

test('pooled random values have their length and alphabet, and no byte is handed out twice across refills', () => {
  // 3,000 × 16 bytes is twelve pools: every refill boundary is crossed, with sizes that do not divide the pool.
  const seen = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    for (const value of [randomHex(16), randomBase64(16), randomBase64(16, true)]) seen.add(value.slice(0, 20));
  }
  assert.equal(seen.size, 3000, 'a repeated prefix means bytes were handed out twice');
  assert.match(randomHex(4), /^[0-9a-f]{8}$/);
  assert.match(randomBase64(16), /^[A-Za-z0-9+/]{22}==$/);
  assert.match(randomBase64(32, true), /^[A-Za-z0-9_-]{43}$/);
  assert.equal(randomHex(5000).length, 10_000, 'more than a pool at once');
});
