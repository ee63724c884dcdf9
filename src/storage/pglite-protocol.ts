/** The messages between the broker's thread and the embedded engine's thread (pglite-worker.ts). */

export interface WorkerSettings {
  /** A directory, or `memory://`. */
  dataDir: string;
  /** Postgres settings (`-c name=value`) after PGlite's own. */
  startParams: string[];
  /** With `memory://`: a dumped data directory (`dumpDataDir`) to start from instead of a fresh initdb. */
  image?: string;
}

export type EngineRequest =
  | { id: number; op: 'query'; sql: string; params: readonly unknown[] }
  | { id: number; op: 'listen' | 'unlisten'; channel: string }
  | { id: number; op: 'close' }
  | { id: number; op: 'dump' };

export type EngineReply =
  | { ready: true }
  | { ready: false; error: Record<string, unknown> }
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: Record<string, unknown> }
  | { notify: string; payload: string };

export interface EngineResult<R> {
  rows: R[];
  affectedRows?: number;
}
