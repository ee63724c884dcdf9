/**
 * What the kernel says a process costs: CPU time (utime + stime of all its threads) from /proc/<pid>/stat and
 * resident memory from /proc/<pid>/status; and the CPU of the Postgres backends serving one database.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type pg from 'pg';

const TICKS_PER_S = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU milliseconds the process has used so far, or undefined when it is gone. */
export function cpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; fields after its closing parenthesis start at field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_S;
  } catch {
    return undefined;
  }
}

/** Resident set size in MB, or undefined when the process is gone. */
export function rssMb(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Cumulative CPU of the backends of some databases. Backends come and go (pools open and close connections), so
 * it polls: each poll adds what every backend used since the previous poll (a backend first seen counts from its
 * start, so its connection set-up is included); a backend that exits loses at most one poll interval of CPU.
 * Postgres's shared processes (WAL writer, checkpointer, background writer) are not attributed to any database.
 */
export class PgBackendCpu {
  readonly #client: pg.Client;
  readonly #databases: string[];
  readonly #last = new Map<number, number>();
  readonly #total = new Map<string, number>();
  #timer?: NodeJS.Timeout;
  #polling?: Promise<void>;

  constructor(client: pg.Client, databases: string[]) {
    this.#client = client;
    this.#databases = databases;
  }

  /** Takes the first poll (existing backends count from now) and keeps polling every `intervalMs`. */
  async start(intervalMs = 1000): Promise<void> {
    await this.poll(true);
    this.#timer = setInterval(() => void this.poll().catch(() => {}), intervalMs);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** CPU ms of each database's backends since `start`, polled now. */
  async totals(): Promise<Record<string, number>> {
    await this.poll();
    return Object.fromEntries(this.#databases.map((d) => [d, this.#total.get(d) ?? 0]));
  }

  poll(baseline = false): Promise<void> {
    // One poll at a time: the interval and a phase boundary may ask together.
    this.#polling = (this.#polling ?? Promise.resolve()).catch(() => {}).then(async () => {
      const { rows } = await this.#client.query<{ pid: number; datname: string }>(
        'select pid, datname from pg_stat_activity where datname = any($1) and pid <> pg_backend_pid()', [this.#databases]);
      for (const { pid, datname } of rows) {
        const now = cpuMs(pid);
        if (now === undefined) continue;
        const before = this.#last.get(pid) ?? (baseline ? now : 0);
        this.#last.set(pid, now);
        this.#total.set(datname, (this.#total.get(datname) ?? 0) + Math.max(0, now - before));
      }
    });
    return this.#polling;
  }
}

/**
 * Statements Postgres ran for a database, from pg_stat_statements when the server preloads it (else undefined).
 * The monitoring queries of this module are left out.
 */
export async function serverStatements(client: pg.Client, database: string): Promise<number | undefined> {
  try {
    const { rows } = await client.query<{ n: string }>(
      `select coalesce(sum(calls), 0) as n from pg_stat_statements
        where dbid = (select oid from pg_database where datname = $1) and query not ilike '%pg_stat%'`, [database]);
    return Number(rows[0]!.n);
  } catch {
    return undefined;
  }
}
