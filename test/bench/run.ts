/**
 * `npm run bench` (issue 7): Brygga's cost per login and per waiting person, measured on this machine against its
 * own processes on 127.0.0.1, next to a bare oidc-provider. Prints tables; writes bench-results/<time>.json.
 * DATABASE_URL (a PostgreSQL server; the bench creates and drops its own databases there) or the embedded engine.
 *
 *   npm run bench -- [--duration 30] [--concurrency 10,40,100] [--waiting 1000] [--hold 60]
 *                    [--approve-ms 1000] [--baseline-rate 10] [--baseline-rounds 2] [--stream websocket|sse]
 *                    [--only statements,idle,logins,baseline,waiting]
 *
 * docs/performance.md explains the method and holds the latest figures.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { PgBackendCpu } from './proc-stats.ts';
import { killChildrenOnExit } from './processes.ts';
import { baselinePhase, demoIdlePhase, idle, loginsPhase, statementsPhase, waitingPhase, type Bench, type Idle, type Options } from './phases.ts';
import { baselineTable, checks, checksTable, idleTable, loginsTable, waitingTable, writeResults } from './report.ts';
import { registerClient, startBaseline, startBroker, startSimulator, type Server, type Store } from './stack.ts';

const PHASES = ['statements', 'idle', 'logins', 'baseline', 'waiting'] as const;
type Phase = (typeof PHASES)[number];

function parseOptions(argv: string[]): Options & { only: Set<Phase> } {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      duration: { type: 'string', default: '30' },
      concurrency: { type: 'string', default: '10,40,100' },
      waiting: { type: 'string', default: '1000' },
      hold: { type: 'string', default: '60' },
      'approve-ms': { type: 'string', default: '1000' },
      'baseline-rate': { type: 'string', default: '10' },
      'baseline-rounds': { type: 'string', default: '2' },
      stream: { type: 'string', default: 'websocket' },
      only: { type: 'string', default: PHASES.join(',') },
    },
  });
  const positive = (name: string, text: string, max: number) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0 || n > max) throw new Error(`--${name} must be a whole number from 0 to ${max}`);
    return n;
  };
  const only = new Set(values.only.split(',').map((p) => p.trim()));
  for (const p of only) if (!PHASES.includes(p as Phase)) throw new Error(`--only takes ${PHASES.join(', ')}`);
  if (values.stream !== 'websocket' && values.stream !== 'sse') throw new Error('--stream takes websocket or sse');
  return {
    durationS: Math.max(1, positive('duration', values.duration, 600)),
    concurrency: values.concurrency.split(',').map((c) => Math.max(1, positive('concurrency', c, 2000))),
    waiting: Math.max(1, positive('waiting', values.waiting, 20_000)),
    holdS: Math.max(1, positive('hold', values.hold, 600)),
    approveMs: positive('approve-ms', values['approve-ms'], 60_000),
    baselineRate: Math.max(1, positive('baseline-rate', values['baseline-rate'], 1000)),
    baselineRounds: Math.max(1, positive('baseline-rounds', values['baseline-rounds'], 20)),
    stream: values.stream,
    only: only as Set<Phase>,
  };
}

const log = (line: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const say = (title: string, body: string) => process.stdout.write(`\n${title}\n${body}\n`);
const sayLog = (title: string, counts: Record<string, number>) => {
  if (Object.keys(counts).length) say(title, Object.entries(counts).map(([msg, n]) => `  ${String(n).padStart(6)}  ${msg}`).join('\n'));
};

const options = parseOptions(process.argv.slice(2));
const startedAt = new Date();
const workDir = mkdtempSync(join(tmpdir(), 'brygga-bench-'));
const cleanups: (() => Promise<unknown>)[] = [];
let cleaned = false;
const cleanup = async () => {
  if (cleaned) return;
  cleaned = true;
  for (const undo of cleanups.reverse()) await undo().catch((err: Error) => log(`cleanup: ${err.message}`));
  rmSync(workDir, { recursive: true, force: true });
};
killChildrenOnExit(cleanup);

/** On PostgreSQL: fresh databases for the broker and the bare provider, dropped at the end, and the samplers. */
async function postgres(serverUrl: string): Promise<Bench['pg'] & { stores: [Store, Store] }> {
  const suffix = randomBytes(4).toString('hex');
  const brokerDb = `brygga_bench_${suffix}`;
  const bareDb = `brygga_bench_${suffix}_bare`;
  const urlOf = (db: string) => {
    const url = new URL(serverUrl);
    url.pathname = `/${db}`;
    return url.toString();
  };
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  cleanups.push(() => admin.end());
  for (const db of [brokerDb, bareDb]) {
    await admin.query(`create database ${db}`);
    cleanups.push(() => admin.query(`drop database if exists ${db} with (force)`));
  }
  // Statement counts when the server preloads pg_stat_statements; without it they are left out.
  const client = new pg.Client({ connectionString: urlOf(brokerDb) });
  await client.connect();
  cleanups.push(() => client.end());
  await client.query('create extension if not exists pg_stat_statements').catch(() => {});
  const backends = new PgBackendCpu(client, [brokerDb, bareDb]);
  await backends.start();
  cleanups.push(async () => backends.stop());
  return { backends, client, brokerDb, bareDb, stores: [{ url: urlOf(brokerDb) }, { url: urlOf(bareDb) }] };
}

const results: Record<string, unknown> = {};
try {
  const serverUrl = process.env.DATABASE_URL;
  const pgState = serverUrl ? await postgres(serverUrl) : undefined;
  const bench: Bench = {
    options,
    engine: pgState ? 'postgres' : 'pglite',
    workDir,
    certsDir: join(workDir, 'certs'),
    brokerStore: pgState?.stores[0] ?? { dataDir: join(workDir, 'broker-data') },
    bareStore: pgState?.stores[1] ?? { dataDir: join(workDir, 'bare-data') },
    pg: pgState,
  };
  Object.assign(results, {
    startedAt: startedAt.toISOString(),
    engine: bench.engine,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, loadavgAtStart: loadavg().map((l) => Number(l.toFixed(2))) },
    options: { ...options, only: [...options.only] },
  });
  log(`engine ${bench.engine}; phases ${[...options.only].join(', ')}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);

  // Demo mode's memory is read while the statements are counted: neither measures CPU.
  const demoIdle = options.only.has('idle') ? demoIdlePhase(bench) : undefined;
  demoIdle?.catch(() => {}); // awaited below; a failure must not go unhandled meanwhile
  if (options.only.has('statements')) {
    log('statements: logins against an in-process broker that counts its queries');
    const s = await statementsPhase(options);
    results.statements = s;
    say(`SQL statements per login (in-process count, ${s.logins} logins): ${s.perLogin}`,
      s.byKind.slice(0, 12).map(([kind, n]) => `  ${n.toFixed(2).padStart(6)}  ${kind}`).join('\n'));
  }
  if (demoIdle) {
    log('idle: demo mode memory');
    results.demoIdle = await demoIdle;
  }

  if (['logins', 'baseline', 'waiting'].some((p) => options.only.has(p as Phase))) {
    log('registering the bench client (brygga clients add)');
    await registerClient(bench.brokerStore, bench.certsDir, workDir);
  }
  if (options.only.has('logins') || options.only.has('baseline')) {
    log('starting the simulator (auto-approve) and the broker');
    const simulator = await startSimulator('simulator', bench.certsDir, { autoApproveMs: options.approveMs });
    cleanups.push(() => simulator.child.stop());
    const broker = await startBroker('broker', bench.brokerStore, bench.certsDir, simulator);
    const stopBroker = () => broker.child.stop();
    cleanups.push(stopBroker);
    results.brokerIdle = await idle(broker.child.pid);

    if (options.only.has('logins')) {
      const rows = await loginsPhase(bench, broker, simulator, log);
      results.logins = rows;
      say(`Complete logins (${bench.engine}, simulator approves after ${options.approveMs} ms, ${options.durationS} s per row)`, loginsTable(rows));
    }
    if (options.only.has('baseline')) {
      log('starting the bare providers');
      const servers: { server: Server; db?: string }[] = [{ server: broker, db: pgState?.brokerDb }];
      for (const store of [bench.bareStore, undefined]) {
        const server = await startBaseline(store);
        cleanups.push(() => server.child.stop());
        servers.push({ server, db: store ? pgState?.bareDb : undefined });
      }
      const rows = await baselinePhase(bench, servers, log);
      results.baseline = rows;
      say(`Baseline (${bench.engine}, ${options.baselineRate} logins/s offered to each in turn)`, baselineTable(rows));
      for (const { server } of servers.slice(1)) await server.child.stop();
    }
    await stopBroker();
    await simulator.child.stop();
    results.brokerLog = { counts: broker.log.counts, samples: broker.log.samples };
    sayLog('Broker warnings and errors (logins, baseline)', broker.log.counts);
  }

  if (options.only.has('waiting')) {
    const w = await waitingPhase(bench, log);
    results.waiting = w;
    say(`Waiting users (${bench.engine}, QR pages on their status stream (${bench.options.stream === 'websocket' ? 'WebSocket' : 'Server-Sent Events'}), or polling /status when refused one)`, waitingTable(w));
    sayLog('Broker warnings and errors (waiting)', w.brokerLog);
  }

  if (results.brokerIdle || results.demoIdle) say('Idle (after start-up)', idleTable(bench.engine, results.brokerIdle as Idle | undefined, results.demoIdle as Idle | undefined));
  const list = checks({ engine: bench.engine, ...results } as Parameters<typeof checks>[0]);
  results.targets = list;
  results.loadavgAtEnd = loadavg().map((l) => Number(l.toFixed(2)));
  if (list.length) say('Targets (issue 7)', checksTable(list));
  say('Load average', `  at start ${(results.machine as { loadavgAtStart: number[] }).loadavgAtStart.join(' ')}, at end ${(results.loadavgAtEnd as number[]).join(' ')} (${cpus().length} CPUs)`);
} catch (err) {
  results.error = (err as Error).message;
  process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
} finally {
  await cleanup();
  if (Object.keys(results).length) log(`results written to ${writeResults(results, startedAt)}`);
}
