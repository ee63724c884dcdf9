/** The pending-orders gauge counts in the database at most every 10 s, however often it is scraped, and survives an outage. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DomainEvents } from '../../src/events/emitter.ts';
import { Metrics } from '../../src/observability/metrics.ts';

test('pending orders: counted when scraped, cached for 10 s, the last count kept while the database fails', async () => {
  let clock = 0;
  let pending = 3;
  let counts = 0;
  let failing = false;
  const metrics = new Metrics({
    events: new DomainEvents(),
    certificates: () => [],
    pendingOrders: async () => {
      counts++;
      if (failing) throw new Error('the database is unavailable');
      return pending;
    },
    now: () => clock,
  });
  const scrape = async () => Number(/^brygga_orders_pending (\S+)$/m.exec(await metrics.registry.metrics())?.[1]);
  try {
    assert.equal(await scrape(), 3);
    pending = 5;
    clock += 9_999;
    assert.equal(await scrape(), 3, 'within 10 s the cached count');
    assert.equal(counts, 1);
    clock += 1;
    assert.equal(await scrape(), 5);
    assert.equal(counts, 2);
    failing = true;
    clock += 10_000;
    assert.equal(await scrape(), 5, 'the last count while the database fails');
    assert.equal(counts, 3);
  } finally {
    metrics.close();
  }
});
