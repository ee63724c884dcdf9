/** `brygga usage` as an operator runs it against the database: CSV, JSON and the table show the same numbers. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { openDatabase } from '../../src/storage/database.ts';
import { migrateToLatest } from '../../src/storage/migrator.ts';
import { createTestDatabase, embeddedDataDir } from '../helpers/database.ts';

const BIN = fileURLToPath(new URL('../../bin/brygga.js', import.meta.url));
let server: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
let env: Record<string, string>;

before(async () => {
  if (process.env.DATABASE_URL) server = await createTestDatabase();
  const dataDir = server ? join(mkdtempSync(join(tmpdir(), 'brygga-cli-usage-')), 'data') : await embeddedDataDir();
  const handle = server ?? await openDatabase({ dataDir });
  await migrateToLatest(handle.db);
  // 23:30 on 31 October in Stockholm (CET) is October's; 00:30 on 1 October (CEST) too.
  // A signature besides the identifications: the table, CSV and JSON count it apart.
  for (const [id, at, outcome, reason, operation] of [['o1', '2026-09-30T22:30:00Z', 'complete', null, 'auth'], ['o2', '2026-10-31T22:30:00Z', 'complete', null, 'auth'], ['o3', '2026-10-12T08:00:00Z', 'failed', 'userDeclinedCall', 'auth'], ['o4', '2026-11-01T08:00:00Z', 'complete', null, 'auth'], ['o5', '2026-10-15T08:00:00Z', 'complete', null, 'sign']] as const) {
    await sql`insert into usage_ledger (order_id, tenant_id, client_id, rp_certificate, operation, start_method, outcome, hint_code, error_code, cancelled_by, started_at, finished_at, duration_ms, collects, risk, person_key)
      values (${id}, 'default', 'e-tjanst', 'cert-1', ${operation}, 'qr', ${outcome}, ${reason}, null, null, ${new Date(Date.parse(at) - 5000)}, ${new Date(at)}, 5000, 2, null, ${outcome === 'complete' ? `p-${id}` : null})`.execute(handle.db);
  }
  if (!server) await handle.close();
  env = {
    PATH: process.env.PATH ?? '', DATA_DIR: dataDir, ENCRYPTION_KEY: 'ab'.repeat(32), SUBJECT_SECRET: 's'.repeat(40), LOG_LEVEL: 'warn',
    ...(server?.url ? { DATABASE_URL: server.url } : {}),
  };
});
after(async () => { await server?.close(); });

function brygga(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('brygga usage --month as CSV, JSON and a table; a wrong month exits 2', async () => {
  const json = await brygga('usage', '--tenant', 'default', '--month', '2026-10', '--format', 'json');
  assert.equal(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout);
  const client = report.rows.find((r: { kind: string }) => r.kind === 'client');
  assert.deepEqual([client.period, client.id, client.started, client.billable, client.failed, client.unique_persons, client.failures], ['2026-10', 'e-tjanst', 4, 3, 1, 3, { userDeclinedCall: 1 }]);
  assert.deepEqual(client.billable_by_operation, { auth: 2, sign: 1, payment: 0 });
  const csv = await brygga('usage', '--tenant', 'default', '--month', '2026-10', '--format', 'csv');
  assert.equal(csv.code, 0, csv.stderr);
  const [header, clientLine] = csv.stdout.trimEnd().split('\r\n').map((l) => l.split(','));
  const fromCsv = Object.fromEntries(header!.map((h, i) => [h, clientLine![i]]));
  for (const key of ['period', 'id', 'started', 'completed', 'billable', 'failed', 'unique_persons', 'median_ms', 'conversion']) assert.equal(fromCsv[key], String(client[key]), key);
  assert.equal(fromCsv['failed:userDeclinedCall'], '1');
  assert.deepEqual([fromCsv['billable:auth'], fromCsv['billable:sign']], ['2', '1']);
  const shown = await brygga('usage', '--tenant', 'default', '--month', '2026-10');
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /Europe\/Stockholm; billable: auth, sign, payment$/m);
  assert.match(shown.stdout, /^PERIOD\s+KIND\s+CLIENT \/ CERTIFICATE\s+STARTED\s+COMPLETED\s+BILLABLE\s+BILLABLE AUTH\s+BILLABLE SIGN\s+BILLABLE PAYMENT\s+FAILED\s/m);
  assert.match(shown.stdout, /^2026-10\s+client\s+e-tjanst\s+4\s+3\s+3\s+2\s+1\s+0\s+1\s+0\s+0\s+3\s+5000\s+5000\s+0\.75\s+4\s+0\s*$/m);
  const wrong = await brygga('usage', '--tenant', 'default', '--month', '2026-13');
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /--month must be a month YYYY-MM/);
});

test('brygga tariffs against the database: add and list, the report prices with it; a wrong one is refused and writes nothing', async () => {
  const added = await brygga('tariffs', 'add', '--tenant', 'default', '--valid-from', '2026-10-01', '--price', '2', '--currency', 'SEK', '--json');
  assert.equal(added.code, 0, added.stderr);
  assert.deepEqual(JSON.parse(added.stdout), { valid_from: '2026-10-01', price: '2.0000', currency: 'SEK' });
  const wrong = await brygga('tariffs', 'add', '--tenant', 'default', '--valid-from', '2026-11-01', '--price', 'two', '--currency', 'SEK');
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /price: must be a decimal number such as 12\.50/);
  const otherCurrency = await brygga('tariffs', 'add', '--tenant', 'default', '--valid-from', '2026-11-01', '--price', '2', '--currency', 'EUR');
  assert.equal(otherCurrency.code, 1);
  assert.match(otherCurrency.stderr, /currency must be SEK, the currency of the tenant's other tariffs \[input_invalid\]/);
  const listed = await brygga('tariffs', 'list', '--tenant', 'default');
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /^VALID FROM\s+PRICE\s+CURRENCY\n2026-10-01\s+2\.0000\s+SEK\n$/);
  const report = JSON.parse((await brygga('usage', '--tenant', 'default', '--month', '2026-10', '--format', 'json')).stdout);
  const client = report.rows.find((r: { kind: string }) => r.kind === 'client');
  assert.deepEqual([client.billable, client.amount, client.currency], [3, '6.00', 'SEK']);
});

test('brygga tenants add with a report time zone and billable operations; a wrong zone is refused', async () => {
  const added = await brygga('tenants', 'add', '--id', 'kommun-z', '--name-sv', 'Z', '--name-en', 'Z', '--environment', 'simulator', '--time-zone', 'Europe/London', '--billable', 'auth,sign,payment', '--json');
  assert.equal(added.code, 0, added.stderr);
  assert.deepEqual([JSON.parse(added.stdout).timeZone, JSON.parse(added.stdout).billableOperations], ['Europe/London', ['auth', 'sign', 'payment']]);
  const report = JSON.parse((await brygga('usage', '--tenant', 'kommun-z', '--month', '2026-10', '--format', 'json')).stdout);
  assert.deepEqual([report.time_zone, report.billable_operations], ['Europe/London', ['auth', 'sign', 'payment']]);
  const wrong = await brygga('tenants', 'add', '--id', 'kommun-y', '--name-sv', 'Y', '--name-en', 'Y', '--environment', 'simulator', '--time-zone', 'Europe/Atlantis');
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /timeZone must be an IANA time zone such as Europe\/Stockholm \[input_invalid\]/);
});
