/**
 * Usage reports on a real database with rows at chosen instants: the tenant's months and days in its time zone
 * across the October 2026 DST change, a tariff change within the month, the contract's billable operations, CSV and
 * JSON with the same numbers, and the retention fold keeping every total.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { foldLedger } from '../../src/storage/usage-fold.ts';
import { putTariff } from '../../src/storage/usage.ts';
import { TenantService } from '../../src/tenants/service.ts';
import { usageCsv, usageReport, monthDays, type UsageReport } from '../../src/usage/report.ts';
import { createTestDatabase } from '../helpers/database.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let n = 0;

interface Row { at: string; client?: string; operation?: string; outcome?: string; reason?: string; by?: string; person?: string; ms?: number; method?: string }

async function add(row: Row): Promise<void> {
  const finished = new Date(row.at);
  const ms = row.ms ?? 10_000;
  await sql`insert into usage_ledger (order_id, tenant_id, client_id, rp_certificate, operation, start_method, outcome, hint_code, error_code,
      cancelled_by, started_at, finished_at, duration_ms, collects, risk, person_key)
    values (${`o-${++n}`}, 'kommun', ${row.client ?? 'e-tjanst'}, 'cert-K', ${row.operation ?? 'auth'}, ${row.method ?? 'qr'}, ${row.outcome ?? 'complete'},
      ${row.reason ?? null}, null, ${row.by ?? null}, ${new Date(finished.getTime() - ms)}, ${finished}, ${ms}, 2, null, ${row.person ?? null})`.execute(database.db);
}

const october = () => usageReport(database.db, { tenantId: 'kommun', ...monthDays('2026-10')!, by: 'month' });
const clientRow = (report: UsageReport, period: string, id = 'e-tjanst') => report.rows.find((r) => r.kind === 'client' && r.period === period && r.id === id);

before(async () => {
  database = await createTestDatabase();
  await sql`insert into tenants (id, name_sv, name_en) values ('kommun', 'Kommunen', 'The municipality')`.execute(database.db);
  await putTariff(database.db, 'kommun', { validFrom: '2026-10-01', price: '10', currency: 'SEK' });
  await putTariff(database.db, 'kommun', { validFrom: '2026-10-15', price: '12.50', currency: 'SEK' });
  // Stockholm: CEST (+2) until 2026-10-25 03:00, then CET (+1).
  await add({ at: '2026-09-30T21:59:59Z', person: 'p1' }); // 23:59:59 on 30 September
  await add({ at: '2026-09-30T22:00:00Z', person: 'p1', ms: 4000 }); // midnight, 1 October: tariff 10
  await add({ at: '2026-10-24T22:30:00Z', person: 'p1', ms: 6000 }); // 00:30 on the 25th (CEST)
  await add({ at: '2026-10-25T22:30:00Z', person: 'p2', ms: 8000, method: 'same_device' }); // 23:30 on the 25th (CET): the day had 25 hours
  await add({ at: '2026-10-31T22:30:00Z', person: 'p3', ms: 20_000 }); // 23:30 on 31 October (CET)
  await add({ at: '2026-10-31T23:00:00Z', person: 'p3' }); // midnight, 1 November
  await add({ at: '2026-10-10T10:00:00Z', operation: 'payment', person: 'p2' });
  await add({ at: '2026-10-11T10:00:00Z', outcome: 'failed', reason: 'startFailed' });
  await add({ at: '2026-10-12T10:00:00Z', outcome: 'failed', reason: 'certificateErr', client: 'annan-tjanst' });
  await add({ at: '2026-10-13T10:00:00Z', outcome: 'cancelled', by: 'person', method: 'same_device' });
  await add({ at: '2026-10-14T10:00:00Z', outcome: 'expired', reason: 'expiredTransaction' });
  // Signatures of another client: one completed (12.50), one failed (never billable).
  await add({ at: '2026-10-20T10:00:00Z', operation: 'sign', client: 'annan-tjanst', person: 'p4' });
  await add({ at: '2026-10-21T10:00:00Z', operation: 'sign', client: 'annan-tjanst', outcome: 'failed', reason: 'startFailed' });
});
after(async () => { await database?.close(); });

test('a month is the tenant\'s own across the DST change; a tariff change within it prices each day right', async () => {
  const report = await october();
  assert.equal(report.time_zone, 'Europe/Stockholm');
  const row = clientRow(report, '2026-10')!;
  assert.deepEqual(
    [row.started, row.completed, row.billable, row.failed, row.cancelled, row.cancelled_by_person, row.expired, row.qr, row.same_device, row.unique_persons],
    [8, 5, 5, 1, 1, 1, 1, 6, 2, 3],
  );
  assert.deepEqual(row.failures, { startFailed: 1 });
  assert.equal(row.conversion, 0.625);
  // Completion times of 4, 6, 8, 10 (the payment) and 20 s.
  assert.deepEqual([row.median_ms, row.p95_ms], [8000, 18_000]);
  // 1 October and the payment on the 10th at 10 SEK, 25 October ×2 and 31 October at 12.50: payments are billable by default.
  assert.equal(row.amount, '57.50');
  assert.equal(row.currency, 'SEK');
  assert.deepEqual(report.rows.filter((r) => r.kind === 'certificate').map((r) => [r.id, r.started, r.billable, r.amount]), [['cert-K', 11, 6, '70.00']]);

  const days = await usageReport(database.db, { tenantId: 'kommun', ...monthDays('2026-10')!, by: 'day' });
  const dst = clientRow(days, '2026-10-25')!;
  assert.deepEqual([dst.started, dst.unique_persons, dst.amount], [2, 2, '25.00'], 'both ends of the 25-hour day');
  assert.equal(clientRow(days, '2026-10-01')?.started, 1);
  assert.equal(clientRow(days, '2026-10-31')?.started, 1);
  assert.equal(days.rows.filter((r) => r.kind === 'client').reduce((sum, r) => sum + r.started, 0), 11, 'the days add up to the month');
});

test('billable identifications and signatures are counted apart, and add up to the billable total', async () => {
  const report = await october();
  assert.deepEqual(report.billable_operations, ['auth', 'sign', 'payment']);
  assert.deepEqual(clientRow(report, '2026-10')!.billable_by_operation, { auth: 4, sign: 0, payment: 1 }, 'the payment is no identification');
  const other = clientRow(report, '2026-10', 'annan-tjanst')!;
  assert.deepEqual([other.started, other.billable, other.billable_by_operation], [3, 1, { auth: 0, sign: 1, payment: 0 }], 'the failed signature is not billable');
  const certificate = report.rows.find((r) => r.kind === 'certificate')!;
  assert.deepEqual(certificate.billable_by_operation, { auth: 4, sign: 1, payment: 1 });
  for (const row of report.rows) assert.equal(Object.values(row.billable_by_operation).reduce((a, b) => a + b, 0), row.billable, `${row.kind} ${row.id}`);
});

test('which operations are billable is the tenant\'s contract', async () => {
  const tenants = new TenantService(database.db);
  const billing = (billableOperations: string[]) => tenants.get('kommun').then((t) => tenants.update({ ...t, bankidEnvironment: 'simulator', billableOperations }));
  await billing(['auth', 'sign']);
  try {
    const row = clientRow(await october(), '2026-10')!;
    assert.deepEqual([row.billable, row.amount], [4, '47.50'], 'without the payment on 10 October at 10 SEK');
    assert.deepEqual(row.billable_by_operation, { auth: 4, sign: 0 }, 'no figure for what the contract does not bill');
  } finally {
    await billing(['auth', 'sign', 'payment']);
  }
});

test('CSV and JSON carry the same numbers', async () => {
  const report = await october();
  const [header, ...lines] = usageCsv(report).trimEnd().split('\r\n').map((l) => l.split(','));
  assert.equal(lines.length, report.rows.length);
  assert.equal(report.rows.length, 3, 'two clients and the certificate');
  assert.deepEqual(header!.filter((h) => h.startsWith('billable')), ['billable', 'billable:auth', 'billable:sign', 'billable:payment']);
  for (const [i, row] of report.rows.entries()) {
    const csv = Object.fromEntries(header!.map((h, j) => [h, lines[i]![j]]));
    for (const [key, value] of Object.entries(row)) {
      if (key === 'failures' || key === 'billable_by_operation') continue;
      assert.equal(csv[key], value === null ? '' : String(value), `${row.id} ${key}`);
    }
    assert.deepEqual([csv['billable:auth'], csv['billable:sign']], [String(row.billable_by_operation.auth), String(row.billable_by_operation.sign)], `${row.id} billable per operation`);
    for (const reason of ['certificateErr', 'startFailed']) {
      assert.equal(csv[`failed:${reason}`], row.kind === 'client' ? String(row.failures[reason] ?? 0) : '');
    }
  }
});

test('the retention fold keeps every count and amount, and a second run changes nothing', async () => {
  const now = new Date();
  await add({ at: now.toISOString(), person: 'p9' }); // this month: kept as a row
  const ranges = ['2026-09', '2026-10', '2026-11'].map((m) => ({ tenantId: 'kommun', ...monthDays(m)!, by: 'day' as const }));
  const counts = async () => (await Promise.all(ranges.map((r) => usageReport(database.db, r))))
    .flatMap((r) => r.rows.map(({ unique_persons: _u, median_ms: _m, p95_ms: _p, ...rest }) => rest));
  const before = await counts();
  const rowsBefore = Number((await sql<{ n: string }>`select count(*) as n from usage_ledger`.execute(database.db)).rows[0]!.n);
  let folded = 0;
  for (let i = 0; i < 20; i++) {
    const batch = await foldLedger(database.db, 0, 3);
    folded += batch;
    if (batch === 0) break;
  }
  // Whole months before this one (in Stockholm) are folded, in batches; this month's rows stay.
  const localMonth = (d: Date) => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit' }).format(d);
  const kept = await database.db.selectFrom('usage_ledger').select(['order_id', 'finished_at']).execute();
  assert.ok(folded >= 10 && folded === rowsBefore - kept.length, `${folded} of ${rowsBefore} folded`);
  assert.ok(kept.some((r) => r.order_id === `o-${n}`), 'the row of now is kept');
  assert.ok(kept.every((r) => localMonth(r.finished_at) === localMonth(now)));
  assert.deepEqual(await counts(), before);
  assert.equal(await foldLedger(database.db, 0, 100), 0);
  assert.deepEqual(await counts(), before);
  const folded10 = clientRow(await october(), '2026-10')!;
  assert.equal(folded10.unique_persons, null, 'unique persons are not kept past the fold');
  assert.equal(folded10.billable, 5);
});
