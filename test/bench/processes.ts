/**
 * The bench's child processes: the broker, the BankID simulators and the baseline providers, each its own Node
 * process on loopback so its CPU and memory are its own. Every child is stopped when the bench ends, however it ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STOP_GRACE_MS = 5000;
const TAIL_LINES = 20;

export interface Child {
  name: string;
  pid: number;
  /** The last lines the child wrote to stderr, for the error when it fails. */
  tail(): string;
  exited(): boolean;
  /** The exit code once it exited (null if a signal ended it). */
  exitCode(): number | null;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

/** Starts `node <script>` with exactly `env` (plus PATH and HOME); `onLine` gets each stdout line. */
export function spawnNode(name: string, script: string, env: Record<string, string>, onLine?: (line: string) => void, flags: string[] = []): Child {
  const child = spawn(process.execPath, [...flags, script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const tail: string[] = [];
  const keep = (line: string) => {
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
  };
  createInterface({ input: child.stderr! }).on('line', keep);
  createInterface({ input: child.stdout! }).on('line', (line) => {
    keep(line);
    onLine?.(line);
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
    running.delete(child);
  });
  return {
    name,
    pid: child.pid!,
    tail: () => tail.join('\n'),
    exited: () => exited,
    exitCode: () => child.exitCode,
    async stop() {
      if (exited) return;
      const gone = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await gone;
      clearTimeout(timer);
    },
  };
}

/** Kills what is left (the normal path stops children itself); installed once by the bench. */
export function killChildrenOnExit(cleanup: () => Promise<void>): void {
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping the bench\n`);
      setTimeout(() => process.exit(130), STOP_GRACE_MS + 1000).unref();
      void cleanup().finally(() => process.exit(130));
    });
  }
}

/** A port nobody listens on right now on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** Waits until `url` answers 200, the child dies, or `timeoutMs` passes. */
export async function waitReady(child: Child, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exited()) throw new Error(`${child.name} exited while starting:\n${child.tail()}`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
    if (ok) return;
    await sleep(200);
  }
  throw new Error(`${child.name} did not answer at ${url} within ${timeoutMs} ms:\n${child.tail()}`);
}

/** Resolves with the first stdout line `match` accepts (the child was spawned with `lines.push` as its onLine). */
export function firstLine<T>(lines: LineFeed, child: Child, match: (line: string) => T | undefined, timeoutMs = 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const timer = setInterval(() => {
      if (child.exited()) fail(`exited while starting:\n${child.tail()}`);
      else if (Date.now() > deadline) fail(`did not start within ${timeoutMs} ms:\n${child.tail()}`);
    }, 200);
    const fail = (why: string) => {
      clearInterval(timer);
      lines.off(listener);
      reject(new Error(`${child.name} ${why}`));
    };
    const listener = (line: string) => {
      const found = match(line);
      if (found === undefined) return;
      clearInterval(timer);
      lines.off(listener);
      resolve(found);
    };
    lines.on(listener);
  });
}

/** Fans a child's stdout lines out to whoever listens (the start-up wait, a counter). */
export class LineFeed {
  readonly #listeners = new Set<(line: string) => void>();
  readonly push = (line: string) => {
    for (const listener of this.#listeners) listener(line);
  };
  on(listener: (line: string) => void) { this.#listeners.add(listener); }
  off(listener: (line: string) => void) { this.#listeners.delete(listener); }
}
