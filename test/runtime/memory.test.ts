import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getHeapSpaceStatistics } from 'node:v8';
import { releaseStartupMemory } from '../../src/runtime/memory.ts';

const MB = 1024 * 1024;
const youngGeneration = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size;

test('the collection after start-up shrinks the young generation that start-up grew', () => {
  // Objects that survive their first collections, as start-up's do, make V8 grow the young generation.
  let kept: object[][] = [];
  for (let round = 0; round < 200 && youngGeneration() < 16 * MB; round++) {
    kept.push(Array.from({ length: 20_000 }, (_, i) => ({ i })));
    if (kept.length > 20) kept = kept.slice(10);
  }
  assert.ok(youngGeneration() >= 16 * MB, `young generation grew to ${youngGeneration() / MB} MB`);
  kept = [];
  releaseStartupMemory();
  assert.ok(youngGeneration() <= 2 * MB, `young generation is ${youngGeneration() / MB} MB after the collection`);
});
