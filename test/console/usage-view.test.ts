/** The usage page's arithmetic: the month in the tenant's time zone, amounts summed exactly, bars scaled to a nice maximum. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { barChart } from '../../src/console/charts.ts';
import { monthAfter, monthAt, sumAmounts } from '../../src/console/usage.ts';

test('this month is the tenant\'s: late on the last evening of October in Stockholm is already November', () => {
  const now = new Date('2026-10-31T23:30:00Z');
  assert.equal(monthAt(now, 'Europe/Stockholm'), '2026-11');
  assert.equal(monthAt(now, 'UTC'), '2026-10');
  assert.deepEqual([monthAfter('2026-01', -1), monthAfter('2026-12', 1)], ['2025-12', '2027-01']);
});

test('amounts add up without floating point, and a missing tariff makes the total unknown', () => {
  assert.equal(sumAmounts(['0.1', '0.2']), '0.30');
  assert.equal(sumAmounts(['0.0001', '0.9999', '12']), '13.00');
  assert.equal(sumAmounts(['1.2345', '1']), '2.2345');
  assert.equal(sumAmounts([]), '0.00');
  assert.equal(sumAmounts(['1.00', null]), null);
});

test('bars stack their values and scale to a nice maximum', () => {
  const chart = barChart([{ label: 'a', values: [3, 1] }, { label: 'b', values: [0, 0] }, { label: 'c', values: [7, 0] }]);
  assert.equal(chart.max, 10);
  const [a, b, c] = chart.bars;
  assert.deepEqual([a!.total, b!.total, c!.total], [4, 0, 7]);
  const full = chart.plotBottom - chart.plotTop;
  assert.equal(c!.segments[0]!.height, Math.round(full * 0.7 * 10) / 10);
  assert.equal(a!.segments[1]!.y + a!.segments[1]!.height, a!.segments[0]!.y, 'the second value sits on the first');
  assert.deepEqual(chart.ticks.map((t) => t.value), [0, 5, 10]);
});
