/**
 * The embedded engine's own thread. PGlite runs Postgres as WebAssembly on whichever thread calls it; here that is
 * not the broker's JavaScript thread, so HTTP, OIDC and the engine use both cores. Queries arrive in order over the
 * port and are answered in order; LISTEN notifications go back as they come.
 */
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { releaseStartupMemory } from '../runtime/memory.ts';
import type { EngineReply, EngineRequest, WorkerSettings } from './pglite-protocol.ts';

const port = parentPort!;
const settings = workerData as WorkerSettings;

// pg returns int8 as a string; the embedded engine does the same so both paths behave alike.
const INT8_OID = 20;

/** The fields a Postgres error carries (code, detail, constraint, …) survive the thread boundary. */
function plain(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err) };
  const fields: Record<string, unknown> = { message: err.message };
  for (const [key, value] of Object.entries(err)) if (value === undefined || typeof value !== 'object') fields[key] = value;
  return fields;
}

const post = (reply: EngineReply) => port.postMessage(reply);

try {
  const engine = await PGlite.create(settings.dataDir, {
    ...(settings.image ? { loadDataDir: new Blob([readFileSync(settings.image)]) } : {}),
    parsers: { [INT8_OID]: (value: string) => value },
    startParams: [...PGlite.defaultStartParams, ...settings.startParams],
  });
  // A new data directory is made by initdb, a second WebAssembly instance of 300 MB that PGlite drops when done; this
  // mostly idle thread would only free it at some later garbage collection, so it asks for one at once.
  releaseStartupMemory();
  const unlisten = new Map<string, () => Promise<void>>();

  async function handle(request: EngineRequest): Promise<unknown> {
    switch (request.op) {
      case 'query': {
        const result = await engine.query(request.sql, [...request.params]);
        return { rows: result.rows, affectedRows: result.affectedRows };
      }
      case 'listen':
        if (!unlisten.has(request.channel)) {
          unlisten.set(request.channel, await engine.listen(request.channel, (payload) => post({ notify: request.channel, payload })));
        }
        return undefined;
      case 'unlisten':
        await unlisten.get(request.channel)?.();
        unlisten.delete(request.channel);
        return undefined;
      case 'close':
        await engine.close(); // checkpoints the WAL
        return undefined;
      case 'dump':
        return new Uint8Array(await (await engine.dumpDataDir('none')).arrayBuffer());
    }
  }

  port.on('message', (request: EngineRequest) => {
    handle(request).then(
      (value) => post({ id: request.id, ok: true, value }),
      (err: unknown) => post({ id: request.id, ok: false, error: plain(err) }),
    );
  });
  post({ ready: true });
} catch (err) {
  post({ ready: false, error: plain(err) });
}
