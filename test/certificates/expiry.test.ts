/** Expiry warnings at 60, 30, 14 and 7 days and at expiry, each logged once, with an injected clock; /readyz lists them. */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import Koa from 'koa';
import { ExpiryWatch, expiryLevel } from '../../src/certificates/expiry.ts';
import { healthRoutes } from '../../src/http/health.ts';
import { createLogger } from '../../src/observability/logger.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const notAfter = new Date('2027-06-30T12:00:00Z');
const at = (daysBefore: number) => new Date(notAfter.getTime() - daysBefore * DAY_MS);

test('the level is the smallest threshold the certificate is within', () => {
  assert.deepEqual([61, 60, 59, 31, 30, 15, 14, 8, 7, 0.5, 0, -1].map((d) => expiryLevel(notAfter, at(d))),
    [undefined, 60, 60, 60, 30, 30, 14, 14, 7, 7, 'expired', 'expired']);
});

test('each threshold crossing is logged once; the latest warnings are what /readyz shows, as warnings', async () => {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'info', format: 'json', destination: new Writable({ write(chunk, _e, cb) { lines.push(JSON.parse(chunk.toString())); cb(); } }) });
  let now = at(90);
  const watch = new ExpiryWatch(async () => [{ fingerprint: 'ab'.repeat(32), tenantId: 'kommun-a', subject: 'name=Kommun A', notAfter, state: 'active' }], logger, () => now);
  const logged: unknown[] = [];
  for (const days of [90, 61, 60, 45, 30, 29, 14, 10, 7, 1, -0.1, -5]) {
    now = at(days);
    const before = lines.length;
    const warnings = await watch.check();
    logged.push(lines.length > before ? (lines.at(-1)!.threshold ?? lines.at(-1)!.msg) : null);
    assert.deepEqual(warnings.map((w) => w.level), days > 60 ? [] : [expiryLevel(notAfter, now)]);
  }
  assert.deepEqual(logged, [null, null, 60, null, 30, null, 14, null, 7, null, 'a BankID RP certificate has expired: BankID refuses it', null]);
  assert.equal(lines.filter((l) => l.level === 40).length, 4, 'four warnings');
  assert.equal(lines.filter((l) => l.level === 50).length, 1, 'one error at expiry');

  // /readyz: a warning, not a failure (the settings' certificate has time).
  now = at(10);
  await watch.check();
  const app = new Koa();
  app.use(healthRoutes({ checkDatabase: async () => {}, certificate: () => ({ notAfter: new Date(Date.now() + 365 * DAY_MS) }), certificateWarnings: () => watch.latest }).routes());
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const response = await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/readyz`);
    assert.equal(response.status, 200);
    const body = await response.json() as { status: string; checks: { bankidCertificates: { ok: boolean; warnings: Record<string, unknown>[] } } };
    assert.equal(body.status, 'ready');
    assert.deepEqual(body.checks.bankidCertificates, { ok: true, warnings: [{ fingerprint: 'ab'.repeat(32), tenantId: 'kommun-a', subject: 'name=Kommun A', notAfter: notAfter.toISOString(), state: 'active', level: 14, daysLeft: 10 }] });
  } finally {
    server.close();
  }
});
