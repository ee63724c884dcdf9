/**
 * The broker's side of the embedded engine (PGlite in a worker thread, pglite-worker.ts). The engine has one
 * session, so statements are sent through a gate: a single statement holds it only while it is sent (the worker
 * answers in order, so statements from many requests are pipelined and the engine never waits on this thread);
 * a transaction holds it from BEGIN until its end, so nobody else's statement runs inside it.
 */
import { Worker } from 'node:worker_threads';
import type { EngineReply, EngineRequest, EngineResult, WorkerSettings } from './pglite-protocol.ts';

/** A Postgres error from the engine, with its fields (`code` such as 23505, `detail`, `constraint`, …). */
export class EmbeddedDatabaseError extends Error {
  [field: string]: unknown;
  constructor(fields: Record<string, unknown>) {
    super(String(fields.message));
    const { message: _message, name: _name, ...rest } = fields;
    Object.assign(this, rest);
    this.name = 'EmbeddedDatabaseError';
  }
}

class Mutex {
  #tail: Promise<void> = Promise.resolve();
  async lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => { release = resolve; });
    const previous = this.#tail;
    this.#tail = previous.then(() => next);
    await previous;
    return release;
  }
}

export interface Session {
  query<R>(sql: string, params?: readonly unknown[]): Promise<EngineResult<R>>;
  release(): void;
}

type Pending = { resolve: (value: unknown) => void; reject: (err: Error) => void };
type Request = EngineRequest extends infer T ? T extends unknown ? Omit<T, 'id'> : never : never;

export class EmbeddedEngine {
  readonly #worker: Worker;
  readonly #gate = new Mutex();
  readonly #pending = new Map<number, Pending>();
  readonly #listeners = new Map<string, Set<(payload: string) => void>>();
  #nextId = 1;
  #stopped: Error | undefined;

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.on('message', (reply: EngineReply) => this.#receive(reply));
    worker.on('error', (err) => this.#stop(new Error(`the embedded database stopped: ${err.message}`, { cause: err })));
    worker.on('exit', (code) => this.#stop(new Error(`the embedded database stopped (exit ${code})`)));
  }

  /** Starts the engine on its own thread; resolves when it accepts statements. */
  static async start(settings: WorkerSettings): Promise<EmbeddedEngine> {
    const worker = new Worker(new URL('./pglite-worker.ts', import.meta.url), { workerData: settings });
    const ready = new Promise<void>((resolve, reject) => {
      const onMessage = (reply: EngineReply) => {
        if (!('ready' in reply)) return;
        worker.off('message', onMessage);
        if (reply.ready) resolve();
        else reject(new EmbeddedDatabaseError(reply.error));
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the embedded database did not start (exit ${code})`)));
    });
    try {
      await ready;
    } catch (err) {
      await worker.terminate();
      throw err;
    }
    return new EmbeddedEngine(worker);
  }

  /** One statement outside any transaction. */
  async query<R>(sql: string, params: readonly unknown[] = []): Promise<EngineResult<R>> {
    const release = await this.#gate.lock();
    try {
      return this.#call({ op: 'query', sql, params }) as Promise<EngineResult<R>>;
    } finally {
      release();
    }
  }

  /** The session to itself until release(): for a transaction. */
  async hold(): Promise<Session> {
    const release = await this.#gate.lock();
    return {
      query: <R>(sql: string, params: readonly unknown[] = []) => this.#call({ op: 'query', sql, params }) as Promise<EngineResult<R>>,
      release,
    };
  }

  /** Postgres LISTEN, shaped like PGlite's own: `onPayload` gets each NOTIFY on `channel`; returns the unlisten. */
  async listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>> {
    let callbacks = this.#listeners.get(channel);
    if (!callbacks) {
      callbacks = new Set();
      this.#listeners.set(channel, callbacks);
      await this.#gated({ op: 'listen', channel });
    }
    callbacks.add(onPayload);
    return async () => {
      callbacks.delete(onPayload);
      if (callbacks.size || this.#listeners.get(channel) !== callbacks) return;
      this.#listeners.delete(channel);
      await this.#gated({ op: 'unlisten', channel });
    };
  }

  get closed(): boolean {
    return this.#stopped !== undefined;
  }

  /** The data directory as a tarball that `WorkerSettings.image` can start another engine from. */
  async dump(): Promise<Uint8Array> {
    return this.#gated({ op: 'dump' }) as Promise<Uint8Array>;
  }

  /** Closes the engine (it checkpoints its WAL) and ends its thread. */
  async close(): Promise<void> {
    if (this.#stopped) return;
    try {
      await this.#gated({ op: 'close' });
    } finally {
      this.#stopped ??= new Error('the embedded database is closed');
      await this.#worker.terminate();
    }
  }

  async #gated(request: Request): Promise<unknown> {
    const release = await this.#gate.lock();
    try {
      return await this.#call(request);
    } finally {
      release();
    }
  }

  #call(request: Request): Promise<unknown> {
    if (this.#stopped) return Promise.reject(this.#stopped);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...request, id });
    });
  }

  #receive(reply: EngineReply): void {
    if ('notify' in reply) {
      for (const callback of this.#listeners.get(reply.notify) ?? []) callback(reply.payload);
      return;
    }
    if (!('id' in reply)) return;
    const pending = this.#pending.get(reply.id);
    this.#pending.delete(reply.id);
    if (reply.ok) pending?.resolve(reply.value);
    else pending?.reject(new EmbeddedDatabaseError(reply.error));
  }

  #stop(reason: Error): void {
    this.#stopped ??= reason;
    for (const pending of this.#pending.values()) pending.reject(reason);
    this.#pending.clear();
  }
}
