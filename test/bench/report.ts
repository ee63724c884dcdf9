/** Percentiles, plain-text tables, and the JSON file each run leaves under bench-results/. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BaselineRow, Idle, LoginsRow, StatementsResult, WaitingResult } from './phases.ts';
import { ROOT } from './processes.ts';

export interface Summary { n: number; p50?: number; p95?: number; p99?: number; max?: number }

/** Nearest-rank percentiles of `values` (milliseconds or any other unit). */
export function summarize(values: readonly number[] = []): Summary {
  if (!values.length) return { n: 0 };
  const sorted = values.toSorted((a, b) => a - b);
  const at = (p: number) => round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);
  return { n: sorted.length, p50: at(50), p95: at(95), p99: at(99), max: round(sorted.at(-1)!) };
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** A number for a table cell: '—' when unknown. */
export function cell(value: number | undefined, digits = 1): string {
  return value === undefined || !Number.isFinite(value) ? '—' : round(value, digits).toFixed(digits);
}

/** Columns padded to their widest cell; the first left-aligned, the rest right-aligned. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function writeResults(results: object, startedAt: Date): string {
  const dir = join(ROOT, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  return file;
}

// ---- the printed report ----

const STEP_ORDER = ['authorize', 'page', 'start', 'order page', 'stream', 'status', 'finish', 'interaction', 'resume', 'token', 'userinfo', 'login'];

export function loginsTable(rows: LoginsRow[]): string {
  const summary = table(
    ['concurrency', 'logins/s', 'errors', 'broker ms/login', 'pg ms/login', 'sql/login', 'sim ms/login', 'driver ms/login', 'broker cores', 'load1'],
    rows.map((r) => [String(r.concurrency), cell(r.loginsPerS), String(r.errors.count), cell(r.brokerCpuMsPerLogin), cell(r.pgCpuMsPerLogin), cell(r.statementsPerLogin),
      cell(r.simulatorCpuMsPerLogin), cell(r.driverCpuMsPerLogin), cell(r.brokerCpuCores, 2), cell(r.load1, 2)]),
  );
  const names = STEP_ORDER.filter((s) => rows.some((r) => r.steps[s]));
  const latencies = table(
    ['step (ms p50/p95/p99)', ...rows.map((r) => `c=${r.concurrency}`)],
    names.map((s) => [s, ...rows.map((r) => {
      const v = r.steps[s];
      return v?.n ? `${cell(v.p50, 0)}/${cell(v.p95, 0)}/${cell(v.p99, 0)}` : '—';
    })]),
  );
  return `${summary}\n\n${latencies}`;
}

export function baselineTable(rows: BaselineRow[]): string {
  return table(
    ['provider', 'logins/s', 'errors', 'cpu ms/login', 'pg ms/login', 'total ms/login', 'sql/login', 'login p50 ms', 'brygga ÷ this', 'total ÷ this'],
    rows.map((r) => [r.name, cell(r.loginsPerS), String(r.errors), cell(r.cpuMsPerLogin, 2), cell(r.pgCpuMsPerLogin, 2), cell(r.totalCpuMsPerLogin, 2),
      cell(r.statementsPerLogin), cell(r.loginP50Ms, 0), cell(r.ratio, 2), cell(r.totalRatio, 2)]),
  );
}

export function waitingTable(w: WaitingResult): string {
  const s = (v: Summary) => (v.n ? `${cell(v.p50, 0)} / ${cell(v.p95, 0)} / ${cell(v.max, 0)}` : '—');
  return table(['waiting QR logins', `${w.opened} of ${w.pages}`], [
    ['opened in (s)', cell(w.rampS)],
    ['still waiting at start / end of hold', `${w.waitingAtStart} / ${w.waitingAtEnd}`],
    ['held for (s)', cell(w.holdS)],
    ['status polls (per person per s)', `${w.polls} (${cell(w.pollsPerPersonPerS, 2)})`],
    ['status ms p50 / p95 / max', s(w.statusMs)],
    ['frame age ms p50 / p95 / max', s(w.frameAgeMs)],
    ['frames older than 1 s', `${w.framesOver1s} of ${w.frameAgeMs.n}`],
    ['new frame every ms p50 / p95 / max', s(w.frameIntervalMs)],
    ['stream\'s first message after its page ms p50 / p95 / max', s(w.firstStreamMessageMs)],
    ['stream connected / answered ms p95 / max', `${cell(w.streamConnectedMs.p95, 0)} / ${cell(w.streamConnectedMs.max, 0)}, ${cell(w.streamAnsweredMs.p95, 0)} / ${cell(w.streamAnsweredMs.max, 0)}`],
    ['errors opening / holding', `${w.openErrors.count} / ${w.holdErrors.count}`],
    ['requests sent again after a reset (as browsers do)', `${w.openErrors.resent} / ${w.holdErrors.resent}`],
    ['orders no longer pending', String(w.ordersEnded)],
    ['broker CPU (cores)', cell(w.brokerCpuCores, 3)],
    ['broker CPU ms per person per s', cell(w.brokerCpuMsPerPersonPerS, 4)],
    ['broker CPU ms per answered poll', cell(w.brokerCpuMsPerPoll, 3)],
    ['postgres backends CPU (cores)', cell(w.pgCpuCores, 3)],
    ['broker RSS MB max / end', `${cell(w.rssMaxMb, 0)} / ${cell(w.rssEndMb, 0)}`],
    ['collects per order per 2 s', cell(w.collectsPerOrderPer2s, 3)],
    ['collects < 1 s apart (simulator warnings)', String(w.collectsTooOften)],
    ['driver CPU (cores)', cell(w.driverCpuCores, 2)],
    ['load average (1 min)', cell(w.load1, 2)],
  ]);
}

export function idleTable(engine: string, broker?: Idle, demo?: Idle): string {
  return table(['process', 'RSS MB', 'CPU (cores)'], [
    ...(broker ? [[`broker on ${engine}`, cell(broker.rssMb, 0), cell(broker.cpuCores, 3)]] : []),
    ...(demo ? [['demo mode (embedded, simulator in-process)', cell(demo.rssMb, 0), cell(demo.cpuCores, 3)]] : []),
  ]);
}

export interface Check { target: string; measured: string; met?: boolean }

/** Each target of issue 7 that this run measured: met or missed, and by how much. */
export function checks(r: { engine: string; statements?: StatementsResult; baseline?: BaselineRow[]; brokerIdle?: Idle; demoIdle?: Idle; waiting?: WaitingResult }): Check[] {
  const out: Check[] = [];
  const vs = (value: number | undefined, limit: number, unit: string, digits = 1): Check['measured'] =>
    value === undefined ? '—' : `${cell(value, digits)} ${unit} (${value <= limit ? `${cell((1 - value / limit) * 100, 0)}% under` : `${cell(value / limit, 2)}× the limit`})`;
  const check = (target: string, value: number | undefined, limit: number, unit: string, digits = 1) =>
    out.push({ target, measured: vs(value, limit, unit, digits), met: value === undefined ? undefined : value <= limit });
  if (r.statements) check('≤ 15 SQL statements per login', r.statements.perLogin, 15, 'statements');
  for (const row of r.baseline?.slice(1) ?? []) check(`CPU per login ≤ 1.5× ${row.name}`, row.totalRatio, 1.5, '×', 2);
  if (r.engine === 'postgres' && r.brokerIdle) check('idle RSS ≤ 120 MB on PostgreSQL', r.brokerIdle.rssMb, 120, 'MB', 0);
  if (r.demoIdle) check('idle RSS ≤ 300 MB in demo mode', r.demoIdle.rssMb, 300, 'MB', 0);
  const w = r.waiting;
  // A crowd that never fully built up cannot meet a target set for the whole crowd.
  if (w && w.waitingAtEnd < w.pages) out.push({ target: `${w.pages} waiting: every page waiting through the hold`, measured: `${w.opened} opened, ${w.waitingAtStart} waiting at the start, ${w.waitingAtEnd} at the end`, met: false });
  if (w && w.pages < 10_000) {
    check(`${w.pages} waiting: status p95 ≤ 100 ms`, w.statusMs.p95, 100, 'ms', 0);
    check(`${w.pages} waiting: every shown QR frame ≤ 1 s old`, w.frameAgeMs.max, 1000, 'ms max', 0);
    check(`${w.pages} waiting: broker ≤ 0.3 core`, w.brokerCpuCores, 0.3, 'cores', 3);
  } else if (w) {
    // Everyone who is not still waiting at the end failed somewhere (not opened, order cancelled), plus failed polls.
    const failedPolls = w.holdErrors.count - (w.holdErrors.byStep.order ?? 0);
    const errors = w.pages - w.waitingAtEnd + failedPolls;
    out.push({ target: `${w.pages} waiting: 0 errors`, measured: `${errors} errors (${w.pages - w.waitingAtEnd} people not waiting at the end, ${failedPolls} failed polls)`, met: errors === 0 });
    check(`${w.pages} waiting: a new frame every ≤ 2 s (p95)`, w.frameIntervalMs.p95, 2000, 'ms', 0);
    check(`${w.pages} waiting: ≤ 0.1 ms CPU per person per s`, w.brokerCpuMsPerPersonPerS, 0.1, 'ms', 4);
    // Per person per second flatters a saturated broker whose pages fell back to polling less than once a second.
    if (w.polls > 0) out.at(-1)!.measured += `, at ${cell(w.pollsPerPersonPerS, 2)} polls per person per s; ${cell(w.brokerCpuMsPerPoll, 2)} ms per poll`;
    check(`${w.pages} waiting: RSS ≤ 400 MB`, w.rssMaxMb, 400, 'MB', 0);
  }
  return out;
}

export function checksTable(list: Check[]): string {
  return table(['target', 'measured', 'met'], list.map((c) => [c.target, c.measured, c.met === undefined ? '—' : c.met ? 'yes' : 'NO']));
}
