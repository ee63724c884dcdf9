import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Kysely, PostgresDialect, sql, type LogEvent } from 'kysely';
import pg from 'pg';
import { EmbeddedEngine } from './embedded-engine.ts';
import { listenOnServer, type ListenHandlers, type Listening } from './notifications.ts';
import { outageAwarePool } from './outage.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  /** `postgres` for a server, `pglite` for the embedded engine. */
  kind: 'postgres' | 'pglite';
  /** LISTEN on `channel` (see notifications.ts); resolves once listening. */
  listen(channel: string, handlers: ListenHandlers): Promise<Listening>;
  /** The server pool's connections now (metrics); the embedded engine has no pool. */
  poolStats?(): { inUse: number; idle: number; waiting: number };
  /** The embedded engine's data directory as an image for `DatabaseOptions.image`. */
  dumpImage?(): Promise<Uint8Array>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** A postgres:// URL; without it the embedded engine is used. */
  url?: string;
  /** Directory of the embedded database; `memory://` keeps it in memory (tests). */
  dataDir: string;
  /** With `memory://`: start from this image (`dumpImage`) instead of creating the cluster (tests: skips initdb). */
  image?: string;
  poolSize?: number;
  /**
   * How long to wait for a connection (a new one, or a free one of the pool) before failing: an unreachable host
   * would otherwise hang every request.
   */
  connectTimeoutMs?: number;
  /** Longest a statement may run on the server before it is cancelled (`statement_timeout`); unset: no limit (migrations). */
  statementTimeoutMs?: number;
  /** Called with every statement's SQL (benchmarks count them). */
  onQuery?: (sql: string) => void;
}

/** Postgres text and jsonb cannot hold U+0000 or an unpaired surrogate: no stored value contains one. */
export function storableText(value: string): boolean {
  return !value.includes('\0') && value.isWellFormed();
}

/** An ILIKE pattern that finds `text` anywhere, its wildcard characters taken literally. */
export const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Every key Brygga or oidc-provider issues (ids, uids, client ids, codes, tokens) is far shorter than this. */
export const MAX_KEY_LENGTH = 512;

/** Whether `value` can be a stored key at all; anything else is "not found" without asking the database. */
export function possibleKey(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_KEY_LENGTH && storableText(value);
}

/** Resolves when the database answers a trivial query within `timeoutMs`; rejects with the reason otherwise. */
export async function checkDatabase(db: Db, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the database did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([sql`select 1`.execute(db), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export class DataDirLockedError extends Error {
  constructor(dir: string, pid: number) {
    super(`The data directory ${dir} is in use by another Brygga process (pid ${pid}). Stop it, or set DATA_DIR to another directory.`);
    this.name = 'DataDirLockedError';
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** PGlite has no lock of its own; two processes on one directory corrupt it. */
function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const lockFile = join(dir, 'brygga.lock');
  try {
    writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const holder = Number(readFileSync(lockFile, 'utf8'));
    if (holder && holder !== process.pid && pidAlive(holder)) throw new DataDirLockedError(dir, holder);
    writeFileSync(lockFile, String(process.pid)); // stale lock from a crashed process
  }
  return () => rmSync(lockFile, { force: true });
}

/**
 * Postgres's default 128 MB of shared buffers are all touched when PGlite starts, i.e. resident; Brygga's working
 * set (orders, OIDC rows, keys) fits in a fraction of 16 MB. Saves about 120 MB of RSS.
 */
const EMBEDDED_START_PARAMS = ['-c', 'shared_buffers=16MB'];

const IDLE_CONNECTION_MS = 10 * 60_000;

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  const log = options.onQuery ? (event: LogEvent) => options.onQuery!(event.query.sql) : undefined;
  if (options.url) {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      // A connection holds its prepared statements and, after five runs of each, their plans (prepared.ts): closed
      // after pg's default 10 s idle, every lull threw them away and the next burst planned everything again.
      idleTimeoutMillis: IDLE_CONNECTION_MS,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
      // A connection whose peer vanished without a reset (failover, network partition) is noticed.
      keepAlive: true,
    });
    // An idle connection dropped by the server (restart, failover) must not crash the process; the pool reconnects.
    pool.on('error', () => {});
    // Nor one dropped while checked out between two statements: the pool's own listener is only on idle connections.
    // The statement in flight, if any, still fails with the error; the pool discards the broken connection on release.
    pool.on('connect', (client) => client.on('error', () => {}));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: outageAwarePool(pool) }), log });
    const url = options.url;
    return {
      db,
      kind: 'postgres',
      listen: (channel, handlers) => listenOnServer(url, channel, handlers),
      poolStats: () => ({ inUse: pool.totalCount - pool.idleCount, idle: pool.idleCount, waiting: pool.waitingCount }),
      close: () => db.destroy(),
    };
  }
  const inMemory = options.dataDir.startsWith('memory://');
  const dir = inMemory ? options.dataDir : resolve(options.dataDir, 'pglite');
  const unlock = inMemory ? () => {} : lockDataDir(resolve(options.dataDir));
  try {
    const engine = await EmbeddedEngine.start({ dataDir: dir, startParams: EMBEDDED_START_PARAMS, ...(inMemory && options.image ? { image: options.image } : {}) });
    const db = new Kysely<Database>({ dialect: new PGliteDialect(engine), log });
    return {
      db,
      kind: 'pglite',
      dumpImage: () => engine.dump(),
      async listen(channel, handlers) {
        const unlisten = await engine.listen(channel, handlers.onNotify);
        return { close: async () => { if (!engine.closed) await unlisten(); } };
      },
      async close() {
        await db.destroy(); // closes PGlite, which checkpoints the WAL
        unlock();
      },
    };
  } catch (err) {
    unlock();
    throw err;
  }
}
