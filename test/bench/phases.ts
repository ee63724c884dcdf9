/**
 * The bench's phases. Each is bounded in time: a warm-up, a measured window, and a bounded drain.
 * - statements: SQL statements per login, counted in-process (the broker's own query hook, see test/helpers/broker.ts).
 * - idle: resident memory of demo mode after start-up.
 * - logins: complete logins at each concurrency against the broker process; CPU per login from /proc.
 * - baseline: the broker and the bare providers in turns (A B C A B C) at the same offered rate.
 * - waiting: N people looking at a QR code, their pages following the order over its event stream (polling /status
 *   every second when the broker has no room for another stream) for the hold.
 */
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { startTestBroker } from '../helpers/broker.ts';
import { HttpBrowser } from '../helpers/http-browser.ts';
import { openEventReader, type EventReader, type StreamTransport } from './event-reader.ts';
import { login, MAX_POLLS, openQrPage, pollStatus, POLL_INTERVAL_MS, Recorder, runLoad, StepError, type OrderStatus, type Target } from './driver.ts';
import { cpuMs, PgBackendCpu, rssMb, serverStatements } from './proc-stats.ts';
import { freePort } from './processes.ts';
import { round, summarize, type Summary } from './report.ts';
import { CLIENT, startBroker, startDemo, startSimulator, targetAt, UNLIMITED_RATES, type Server, type Simulator, type Store } from './stack.ts';

export interface Options {
  durationS: number;
  concurrency: number[];
  waiting: number;
  holdS: number;
  approveMs: number;
  baselineRate: number;
  /** Turns of each provider in the baseline phase (A B C A B C …). */
  baselineRounds: number;
  /** How waiting pages follow their order: a WebSocket, as the page script first tries, or Server-Sent Events. */
  stream: StreamTransport;
}

export interface Bench {
  options: Options;
  engine: 'postgres' | 'pglite';
  workDir: string;
  certsDir: string;
  brokerStore: Store;
  bareStore: Store;
  /** On PostgreSQL: the backend CPU sampler and a connection for pg_stat_statements. */
  pg?: { backends: PgBackendCpu; client: pg.Client; brokerDb: string; bareDb: string };
}

const WARMUP_MS = 3000;
const FIRST_WARMUP_MS = 10_000;
/** Idle is measured this long after start-up, when start-up work (PGlite, keys, JIT) has settled, for a window. */
const IDLE_SETTLE_MS = 5000;
const IDLE_WINDOW_MS = 5000;
/** Enough browsers that the broker's logins (which wait for BankID) reach the offered rate. */
const BASELINE_CONCURRENCY = 40;
const STATEMENT_LOGINS = 20;
/** Pages opened at the same time while the waiting crowd builds up: people keep arriving however slow the broker is. */
const RAMP_PARALLEL = 100;
/** The crowd gets this long to build up; pages not open by then are reported as not opened. */
const RAMP_BASE_MS = 60_000;
const RAMP_PER_PAGE_MS = 100;
const SETTLE_MS = 3000;
/** A waiting page's stream that brings nothing (no frame, no heartbeat) for this long counts as an error. */
const FRAME_SILENCE_MS = 30_000;

/** What one measured window cost. */
interface Window {
  wallMs: number;
  /** CPU ms per named process. */
  cpuMs: Record<string, number>;
  /** CPU ms of the database's Postgres backends (PostgreSQL only). */
  pgCpuMs?: number;
  /** Statements Postgres ran for the database (when pg_stat_statements is loaded). */
  statements?: number;
  /** The bench process itself: the load driver. */
  driverCpuMs: number;
  load1: number;
}

/** Samples processes (and a database's backends) when a window opens and when it closes. */
class Meter {
  readonly #bench: Bench;
  readonly #pids: Record<string, number>;
  readonly #db?: string;
  #start?: { cpu: Record<string, number>; pg?: number; statements?: number; driver: NodeJS.CpuUsage; at: number };

  constructor(bench: Bench, pids: Record<string, number>, db?: string) {
    this.#bench = bench;
    this.#pids = pids;
    this.#db = db;
  }

  async #sample() {
    const pgState = this.#bench.pg;
    const [pgCpu, statements] = pgState && this.#db
      ? [(await pgState.backends.totals())[this.#db], await serverStatements(pgState.client, this.#db)]
      : [undefined, undefined];
    const cpu = Object.fromEntries(Object.entries(this.#pids).map(([name, pid]) => [name, cpuMs(pid) ?? Number.NaN]));
    return { cpu, pg: pgCpu, statements, driver: process.cpuUsage(), at: performance.now() };
  }

  async open(): Promise<void> {
    this.#start = await this.#sample();
  }

  async close(): Promise<Window> {
    const start = this.#start!;
    const end = await this.#sample();
    const driver = process.cpuUsage(start.driver);
    return {
      wallMs: end.at - start.at,
      cpuMs: Object.fromEntries(Object.keys(this.#pids).map((name) => [name, end.cpu[name]! - start.cpu[name]!])),
      pgCpuMs: end.pg === undefined || start.pg === undefined ? undefined : end.pg - start.pg,
      statements: end.statements === undefined || start.statements === undefined ? undefined : end.statements - start.statements,
      driverCpuMs: (driver.user + driver.system) / 1000,
      load1: round(loadavg()[0]!, 2),
    };
  }
}

const perLogin = (value: number | undefined, logins: number) => (value === undefined || !logins ? undefined : round(value / logins, 2));
const steps = (rec: Recorder) => Object.fromEntries([...rec.latencies].map(([step, values]) => [step, summarize(values)]));
const errorsOf = (rec: Recorder) => ({ count: rec.errorCount(), byStep: Object.fromEntries(rec.errors), samples: rec.samples, resent: rec.resent });

// ---- statements ----

export interface StatementsResult { logins: number; perLogin: number; byKind: [string, number][] }

/** N logins against an in-process broker whose database reports every statement (same code, same flow). */
export async function statementsPhase(options: Options): Promise<StatementsResult> {
  let statements = 0;
  const kinds = new Map<string, number>();
  const port = await freePort();
  const t = await startTestBroker(
    { PORT: String(port), ISSUER: `http://127.0.0.1:${port}`, LOG_LEVEL: 'warn', BANKID_COLLECT_INTERVAL_MS: '2000', ...UNLIMITED_RATES },
    { autoApproveMs: options.approveMs },
    (sql) => {
      statements++;
      const kind = sql.trim().split(/\s+/).slice(0, 3).join(' ').replace(/"/g, '').slice(0, 40);
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    },
  );
  try {
    await t.broker.clients.save(CLIENT);
    const target = await targetAt('brygga (in-process)', 'brygga', t.broker.url);
    const rec = new Recorder();
    const deadline = Date.now() + 120_000;
    await login(target, rec, deadline); // warm-up: keys, client cache, first connections
    statements = 0;
    kinds.clear();
    await Promise.all(Array.from({ length: STATEMENT_LOGINS }, () => login(target, rec, deadline)));
    return { logins: STATEMENT_LOGINS, perLogin: round(statements / STATEMENT_LOGINS, 1), byKind: [...kinds].sort((a, b) => b[1] - a[1]).map(([k, n]) => [k, round(n / STATEMENT_LOGINS, 2)]) };
  } finally {
    await t.close();
  }
}

// ---- idle memory ----

export interface Idle { rssMb?: number; cpuCores?: number }

/** Memory after start-up has settled, and the CPU the process then uses with nothing to do (timers, janitors). */
export async function idle(pid: number): Promise<Idle> {
  await sleep(IDLE_SETTLE_MS);
  const before = cpuMs(pid);
  await sleep(IDLE_WINDOW_MS);
  const rss = rssMb(pid);
  const after = cpuMs(pid);
  return {
    rssMb: rss === undefined ? undefined : round(rss, 0),
    cpuCores: before === undefined || after === undefined ? undefined : round((after - before) / IDLE_WINDOW_MS, 3),
  };
}

export async function demoIdlePhase(bench: Bench): Promise<Idle> {
  const demo = await startDemo(bench.workDir, bench.certsDir);
  try {
    return await idle(demo.pid);
  } finally {
    await demo.stop();
  }
}

// ---- logins ----

export interface LoginsRow {
  concurrency: number;
  windowS: number;
  logins: number;
  loginsPerS: number;
  errors: ReturnType<typeof errorsOf>;
  brokerCpuMsPerLogin?: number;
  pgCpuMsPerLogin?: number;
  simulatorCpuMsPerLogin?: number;
  driverCpuMsPerLogin?: number;
  /** Server-side count (pg_stat_statements), PostgreSQL only. */
  statementsPerLogin?: number;
  brokerCpuCores: number;
  load1: number;
  steps: Record<string, Summary>;
}

export async function loginsPhase(bench: Bench, broker: Server, simulator: Simulator, log: (line: string) => void): Promise<LoginsRow[]> {
  const rows: LoginsRow[] = [];
  // A fresh broker compiles its hot paths during the first hundreds of logins; the first row should not pay for it.
  const highest = Math.max(...bench.options.concurrency);
  log(`logins: warm-up, concurrency ${highest}, ${FIRST_WARMUP_MS / 1000} s`);
  await runLoad(broker.target, { concurrency: highest, rate: 0, warmupMs: FIRST_WARMUP_MS, durationMs: 0, onWindowStart: async () => {}, onWindowEnd: async () => {} });
  for (const concurrency of bench.options.concurrency) {
    log(`logins: concurrency ${concurrency}, ${bench.options.durationS} s`);
    const meter = new Meter(bench, { broker: broker.child.pid, simulator: simulator.child.pid }, bench.pg?.brokerDb);
    let w: Window | undefined;
    const rec = await runLoad(broker.target, {
      concurrency,
      rate: 0,
      warmupMs: WARMUP_MS,
      durationMs: bench.options.durationS * 1000,
      onWindowStart: () => meter.open(),
      onWindowEnd: async () => { w = await meter.close(); },
    });
    const window = w!;
    rows.push({
      concurrency,
      windowS: round(window.wallMs / 1000),
      logins: rec.logins,
      loginsPerS: round(rec.logins / (window.wallMs / 1000)),
      errors: errorsOf(rec),
      brokerCpuMsPerLogin: perLogin(window.cpuMs.broker, rec.logins),
      pgCpuMsPerLogin: perLogin(window.pgCpuMs, rec.logins),
      simulatorCpuMsPerLogin: perLogin(window.cpuMs.simulator, rec.logins),
      driverCpuMsPerLogin: perLogin(window.driverCpuMs, rec.logins),
      statementsPerLogin: perLogin(window.statements, rec.logins),
      brokerCpuCores: round(window.cpuMs.broker! / window.wallMs, 2),
      load1: window.load1,
      steps: steps(rec),
    });
  }
  return rows;
}

// ---- baseline ----

export interface BaselineRow {
  name: string;
  logins: number;
  loginsPerS: number;
  errors: number;
  errorSamples: string[];
  cpuMsPerLogin?: number;
  pgCpuMsPerLogin?: number;
  /** Process plus its Postgres backends (PostgreSQL), or the process alone (embedded: the database is inside it). */
  totalCpuMsPerLogin?: number;
  statementsPerLogin?: number;
  loginP50Ms?: number;
  /** Brygga's CPU per login divided by this one's: process only, and with the database backends. */
  ratio?: number;
  totalRatio?: number;
}

/** A bare provider's own statement counter (test/bench/baseline/main.ts). */
async function bareStatements(target: Target): Promise<number> {
  const response = await fetch(`${target.issuer}/bench/statements`, { signal: AbortSignal.timeout(5000) });
  return ((await response.json()) as { statements: number }).statements;
}

export async function baselinePhase(bench: Bench, servers: { server: Server; db?: string }[], log: (line: string) => void): Promise<BaselineRow[]> {
  const roundMs = Math.max(5, bench.options.durationS / 3) * 1000;
  const totals = servers.map(() => ({ logins: 0, wallMs: 0, cpuMs: 0, pgCpuMs: 0 as number | undefined, statements: 0 as number | undefined, errors: 0, samples: [] as string[], p50: [] as number[] }));
  for (let r = 0; r < bench.options.baselineRounds; r++) {
    for (const [i, { server, db }] of servers.entries()) {
      log(`baseline: round ${r + 1}/${bench.options.baselineRounds}, ${server.target.name}, ${bench.options.baselineRate} logins/s`);
      const meter = new Meter(bench, { server: server.child.pid }, db);
      const bare = server.target.flow === 'bare';
      let w: Window | undefined;
      let ownStatements = 0;
      const rec = await runLoad(server.target, {
        concurrency: BASELINE_CONCURRENCY,
        rate: bench.options.baselineRate,
        warmupMs: WARMUP_MS,
        durationMs: roundMs,
        onWindowStart: async () => {
          await meter.open();
          if (bare) ownStatements = -(await bareStatements(server.target));
        },
        onWindowEnd: async () => {
          w = await meter.close();
          if (bare) ownStatements += await bareStatements(server.target);
        },
      });
      const t = totals[i]!;
      t.logins += rec.logins;
      t.wallMs += w!.wallMs;
      t.cpuMs += w!.cpuMs.server!;
      t.pgCpuMs = t.pgCpuMs === undefined || w!.pgCpuMs === undefined ? undefined : t.pgCpuMs + w!.pgCpuMs;
      const statements = bare ? ownStatements : w!.statements;
      t.statements = t.statements === undefined || statements === undefined ? undefined : t.statements + statements;
      t.errors += rec.errorCount();
      t.samples.push(...rec.samples.slice(0, 5 - t.samples.length));
      const p50 = summarize(rec.latencies.get('login')).p50;
      if (p50 !== undefined) t.p50.push(p50);
    }
  }
  const rows = servers.map(({ server, db }, i): BaselineRow => {
    const t = totals[i]!;
    const pgCpu = db ? t.pgCpuMs : undefined;
    return {
      name: server.target.name,
      logins: t.logins,
      loginsPerS: round(t.logins / (t.wallMs / 1000)),
      errors: t.errors,
      errorSamples: t.samples,
      cpuMsPerLogin: perLogin(t.cpuMs, t.logins),
      pgCpuMsPerLogin: perLogin(pgCpu, t.logins),
      totalCpuMsPerLogin: perLogin(t.cpuMs + (pgCpu ?? 0), t.logins),
      statementsPerLogin: perLogin(t.statements, t.logins),
      loginP50Ms: t.p50.length ? round(t.p50.reduce((a, b) => a + b, 0) / t.p50.length) : undefined,
    };
  });
  const [ours] = rows;
  for (const row of rows.slice(1)) {
    row.ratio = ours?.cpuMsPerLogin && row.cpuMsPerLogin ? round(ours.cpuMsPerLogin / row.cpuMsPerLogin, 2) : undefined;
    row.totalRatio = ours?.totalCpuMsPerLogin && row.totalCpuMsPerLogin ? round(ours.totalCpuMsPerLogin / row.totalCpuMsPerLogin, 2) : undefined;
  }
  return rows;
}

// ---- waiting ----

export interface WaitingResult {
  pages: number;
  opened: number;
  /** Pages still waiting (order pending) when the hold began and when it ended. */
  waitingAtStart: number;
  waitingAtEnd: number;
  rampS: number;
  holdS: number;
  openErrors: ReturnType<typeof errorsOf>;
  /** Pages whose order stopped being pending (failed, expired), at any time. */
  ordersEnded: number;
  ordersEndedSamples: string[];
  holdErrors: ReturnType<typeof errorsOf>;
  polls: number;
  /** How often a page got to poll: 1 when every answer comes at once (the script waits a second after each). */
  pollsPerPersonPerS: number;
  statusMs: Summary;
  /** Age of each QR frame when the page got it: now − (the simulator's order start + the frame's qrTime). */
  frameAgeMs: Summary;
  framesOver1s: number;
  /** Time between a page's successive new QR frames. */
  frameIntervalMs: Summary;
  /** From the order page's answer to the first message of its stream, for every page (the build-up included). */
  firstStreamMessageMs: Summary;
  /** From asking for a stream to its TCP connection, and to the headers of its answer. */
  streamConnectedMs: Summary;
  streamAnsweredMs: Summary;
  brokerCpuCores: number;
  brokerCpuMsPerPersonPerS: number;
  /** The same per answered poll (pages that fell back to polling): a person's cost when answered every second. */
  brokerCpuMsPerPoll: number | undefined;
  pgCpuCores?: number;
  rssMaxMb?: number;
  rssEndMb?: number;
  collects: number;
  collectsPerOrderPer2s: number;
  collectsTooOften: number;
  driverCpuCores: number;
  load1: number;
  /** The waiting broker's warnings and errors by message. */
  brokerLog: Record<string, number>;
  brokerLogSamples: string[];
}

/** The simulator's start time of each pending order, by the qrStartToken its QR frames carry. */
async function orderStarts(controlUrl: string): Promise<Map<string, number>> {
  const response = await fetch(`${controlUrl}/sim/orders`, { signal: AbortSignal.timeout(60_000) });
  const { orders } = await response.json() as { orders: { qr?: string; created: string }[] };
  return new Map(orders.filter((o) => o.qr).map((o) => [o.qr!.split('.')[1]!, Date.parse(o.created)]));
}

export async function waitingPhase(bench: Bench, log: (line: string) => void): Promise<WaitingResult> {
  const { waiting: n, holdS } = bench.options;
  // Nobody approves: a simulator of its own, logging every RP API call so collects can be counted.
  const simulator = await startSimulator('simulator (waiting)', bench.certsDir, { logCalls: true });
  const broker = await startBroker('broker (waiting)', bench.brokerStore, bench.certsDir, simulator).catch(async (err: unknown) => {
    await simulator.child.stop();
    throw err;
  });
  try {
    let counting = false;
    let collects = 0;
    let tooOften = 0;
    simulator.lines.on((line) => {
      if (!counting) return;
      if (line.includes('"msg":"simulator RP API call"') && line.includes('/collect"')) collects++;
      else if (line.includes('collect polled more often')) tooOften++;
    });

    const opening = new Recorder();
    opening.recording = true;
    const holding = new Recorder();
    let starts = new Map<string, number>();
    const ages: number[] = [];
    const intervals: number[] = [];
    let stop = false;
    let ended = 0;
    const rampDeadline = Date.now() + RAMP_BASE_MS + n * RAMP_PER_PAGE_MS;

    const endedSamples: string[] = [];
    /** From each order page's answer to its stream's first message (while the crowd builds up too). */
    const firstMessages: number[] = [];
    /** From asking for each stream to its connection, and to its answer's headers. */
    const connects: number[] = [];
    const answers: number[] = [];
    /** A page saw its order end (nobody approves in this phase): how, when and how the page followed it. */
    const orderEnded = (err: StepError, how: 'stream' | 'polling') => {
      ended++;
      if (endedSamples.length < 5) endedSamples.push(`${err.message.trim()} (${how}, ${round((performance.now() - rampStarted) / 1000)} s after the first page)`);
    };
    const streams = new Set<EventReader>();
    /** A frame or state the page got at `at`: its age, and the time since the page's previous new frame. */
    const seen = (status: OrderStatus, at: number, last: { time?: number; at?: number }) => {
      if (status.state !== 'pending') throw new StepError('order', `${status.state} ${status.hintCode ?? ''}`);
      const [, token, time] = status.qr?.split('.') ?? [];
      const started = token && starts.get(token);
      if (holding.recording && started && time) {
        ages.push(at - (started + Number(time) * 1000));
        if (Number(time) !== last.time) {
          if (last.at !== undefined) intervals.push(at - last.at);
          last.time = Number(time);
          last.at = at;
        }
      }
    };

    /**
     * As the page script: follow the order over its stream; false when the broker has no room (503) or the stream
     * broke. (A refused WebSocket goes straight to polling: the page's event stream would be refused for the same reason.)
     */
    const follow = async (b: HttpBrowser, eventsUrl: string, pageAt: number): Promise<boolean> => {
      const last: { time?: number; at?: number } = {};
      const headers = { 'user-agent': b.userAgent, cookie: b.cookieHeader(new URL(eventsUrl)) };
      let first = true;
      const stream = await openEventReader(eventsUrl, headers, (data, at) => {
        if (first) firstMessages.push(at - pageAt);
        first = false;
        seen(JSON.parse(data) as OrderStatus, at, last);
      }, FRAME_SILENCE_MS, bench.options.stream);
      connects.push(stream.connectedMs);
      answers.push(stream.answeredMs);
      if (stream.status !== (bench.options.stream === 'websocket' ? 101 : 200)) {
        stream.close();
        return false;
      }
      streams.add(stream);
      const why = await stream.ended;
      streams.delete(stream);
      if (!why || stop) return true;
      holding.error(why);
      if (why instanceof StepError && why.step === 'order') {
        orderEnded(why, 'stream');
        return true;
      }
      return false; // a broken stream: the page script polls instead
    };

    /** One person's page: its event stream, or when the broker is full its script polls /status every second. */
    const watch = async (b: HttpBrowser, statusUrl: string, eventsUrl: string, pageAt: number) => {
      if (await follow(b, eventsUrl, pageAt).catch((err: unknown) => { holding.error(err); return false; })) return;
      const last: { time?: number; at?: number } = {};
      for (let polls = 0; !stop && polls < MAX_POLLS; polls++) {
        try {
          const status = await pollStatus(b, statusUrl, holding);
          seen(status, Date.now(), last);
          await sleep(POLL_INTERVAL_MS);
        } catch (err) {
          holding.error(err);
          if (err instanceof StepError && err.step === 'order') {
            orderEnded(err, 'polling');
            return;
          }
          await sleep(2 * POLL_INTERVAL_MS); // as the script: retry after twice the interval
        }
      }
    };

    log(`waiting: opening ${n} QR pages`);
    const rampStarted = performance.now();
    const pages: Promise<void>[] = [];
    let next = 0;
    let opened = 0;
    const opener = async () => {
      while (next < n && Date.now() < rampDeadline) {
        next++;
        const b = new HttpBrowser();
        try {
          const page = await openQrPage(b, broker.target, opening);
          if (!page.statusUrl || !page.eventsUrl) throw new StepError('order page', `no QR page: ${page.page.status} ${page.page.location ?? ''}`);
          opened++;
          pages.push(watch(b, page.statusUrl, page.eventsUrl, Date.now()));
        } catch (err) {
          opening.error(err);
        }
      }
    };
    await Promise.all(Array.from({ length: RAMP_PARALLEL }, opener));
    const rampS = round((performance.now() - rampStarted) / 1000);
    if (!opened) throw new Error(`no QR page opened: ${opening.samples[0] ?? 'no error recorded'}`);
    log(`waiting: ${opened} pages open after ${rampS} s; holding ${holdS} s`);
    await sleep(SETTLE_MS);
    starts = await orderStarts(simulator.controlUrl);

    const meter = new Meter(bench, { broker: broker.child.pid }, bench.pg?.brokerDb);
    await meter.open();
    const waitingAtStart = opened - ended;
    holding.recording = true;
    counting = true;
    let rssMax = 0;
    const holdEnd = Date.now() + holdS * 1000;
    while (Date.now() < holdEnd) {
      await sleep(Math.min(1000, holdEnd - Date.now()));
      rssMax = Math.max(rssMax, rssMb(broker.child.pid) ?? 0);
    }
    holding.recording = false;
    counting = false;
    const w = await meter.close();
    const waitingAtEnd = opened - ended;
    const rssEnd = rssMb(broker.child.pid);
    stop = true;
    for (const stream of streams) stream.close();
    await Promise.race([Promise.all(pages), sleep(15_000)]);

    // People still waiting (their order pending, their page polling), on average over the hold.
    const waitingMean = (waitingAtStart + waitingAtEnd) / 2;
    const personSeconds = waitingMean * (w.wallMs / 1000);
    return {
      pages: n,
      opened,
      waitingAtStart,
      waitingAtEnd,
      rampS,
      holdS: round(w.wallMs / 1000),
      openErrors: errorsOf(opening),
      ordersEnded: ended,
      ordersEndedSamples: endedSamples,
      holdErrors: errorsOf(holding),
      polls: holding.latencies.get('status')?.length ?? 0,
      pollsPerPersonPerS: round((holding.latencies.get('status')?.length ?? 0) / personSeconds, 2),
      statusMs: summarize(holding.latencies.get('status')),
      frameAgeMs: summarize(ages),
      framesOver1s: ages.filter((a) => a > 1000).length,
      frameIntervalMs: summarize(intervals),
      firstStreamMessageMs: summarize(firstMessages),
      streamConnectedMs: summarize(connects),
      streamAnsweredMs: summarize(answers),
      brokerCpuCores: round(w.cpuMs.broker! / w.wallMs, 3),
      brokerCpuMsPerPersonPerS: round(w.cpuMs.broker! / personSeconds, 4),
      brokerCpuMsPerPoll: holding.latencies.get('status')?.length ? round(w.cpuMs.broker! / holding.latencies.get('status')!.length, 3) : undefined,
      pgCpuCores: w.pgCpuMs === undefined ? undefined : round(w.pgCpuMs / w.wallMs, 3),
      rssMaxMb: rssMax ? round(rssMax, 0) : undefined,
      rssEndMb: rssEnd === undefined ? undefined : round(rssEnd, 0),
      collects,
      collectsPerOrderPer2s: round(collects / Math.max(1, waitingMean) / (w.wallMs / 2000), 3),
      collectsTooOften: tooOften,
      driverCpuCores: round(w.driverCpuMs / w.wallMs, 2),
      load1: w.load1,
      brokerLog: broker.log.counts,
      brokerLogSamples: broker.log.samples,
    };
  } finally {
    await broker.child.stop();
    await simulator.child.stop();
  }
}
