/** Shared by the simulator tests: a simulator per test file, an mTLS RP client, the control API, a DER reader. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/simulator/index.ts';

/** A clock the test moves by hand; starts at the real time so certificates are valid. */
export class FakeClock {
  private t = Date.now();
  readonly now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface TestSimulator {
  sim: RunningSimulator;
  dir: string;
  clock: FakeClock;
  close(): Promise<void>;
}

/** What the broker passes from config/variables.ts, spelt out: the library has no defaults of its own. */
export const SIMULATOR_SETTINGS = { host: '127.0.0.1', p12Passphrase: 'qwerty123', startTimeoutS: 30, orderTtlS: 180 } as const;

export async function startTestSimulator(options: Partial<SimulatorOptions> = {}): Promise<TestSimulator> {
  const dir = mkdtempSync(join(tmpdir(), 'brygga-sim-'));
  const clock = new FakeClock();
  const sim = await startSimulator({ ...SIMULATOR_SETTINGS, certsDir: dir, port: 0, controlPort: 0, now: clock.now, ...options });
  return {
    sim,
    dir,
    clock,
    async close() {
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ClientCertificate {
  pfx?: Buffer;
  passphrase?: string;
  cert?: string;
  key?: string;
}

interface RpCallOptions {
  method?: string;
  contentType?: string | null;
  /** Sent as is instead of JSON-encoding `body`. */
  raw?: string | Buffer;
  /** The client certificate; the simulator's rp.p12 by default, `null` for none. */
  client?: ClientCertificate | null;
}

interface RpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed; throws when it is not JSON, so a test never reads a stand-in. */
  readonly json: Record<string, any>;
}

function rpCertificate(sim: RunningSimulator): ClientCertificate {
  return { pfx: readFileSync(sim.rpP12File), passphrase: sim.rpP12Passphrase };
}

/** One RP API call on a fresh connection (so each call presents its own client certificate). */
export function rpCall(sim: RunningSimulator, path: string, body: unknown = {}, options: RpCallOptions = {}): Promise<RpReply> {
  const url = new URL(path, sim.apiUrl);
  const payload = options.raw ?? JSON.stringify(body);
  const client = options.client === undefined ? rpCertificate(sim) : options.client ?? {};
  const contentType = options.contentType === undefined ? 'application/json' : options.contentType;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: options.method ?? 'POST',
      ca: sim.caPem,
      agent: false,
      ...client,
      headers: { ...(contentType === null ? {} : { 'content-type': contentType }), 'content-length': Buffer.byteLength(payload) },
      timeout: 10_000,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode!, headers: res.headers, text, get json() { return JSON.parse(text) as Record<string, any>; } });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Starts an order and checks it was accepted. */
export async function startOrder(sim: RunningSimulator, endpoint: string, body: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const reply = await rpCall(sim, endpoint, endpoint.startsWith('phone/') ? body : { endUserIp: '127.0.0.1', ...body });
  if (reply.status !== 200) throw new Error(`${endpoint} answered ${reply.status} ${JSON.stringify(reply.json)}`);
  return reply.json;
}

export async function collect(sim: RunningSimulator, orderRef: string, client?: ClientCertificate): Promise<RpReply> {
  return rpCall(sim, 'collect', { orderRef }, client ? { client } : {});
}

interface ControlReply {
  status: number;
  json: Record<string, any>;
}

export async function control(sim: RunningSimulator, method: string, path: string, body?: unknown): Promise<ControlReply> {
  const response = await fetch(`${sim.controlUrl}${path}`, {
    method,
    signal: AbortSignal.timeout(10_000),
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() as Record<string, any> };
}

/** Plans a fault and returns its id, for faultHits(). */
export async function planFault(sim: RunningSimulator, fault: Record<string, unknown>): Promise<number> {
  const reply = await control(sim, 'POST', '/sim/faults', fault);
  if (reply.status !== 200) throw new Error(`fault refused: ${JSON.stringify(reply.json)}`);
  return reply.json.id as number;
}

/** A planned fault as the simulator reports it: hits, holding, written. */
export async function fault(sim: RunningSimulator, id: number): Promise<Record<string, any>> {
  const { faults } = (await control(sim, 'GET', '/sim/faults')).json as { faults: Record<string, any>[] };
  const found = faults.find((f) => f.id === id);
  if (!found) throw new Error(`no fault ${id}`);
  return found;
}

/** Polls until `check` holds; bounded by `attempts` control calls, no timers. */
export async function until(what: string, check: () => Promise<boolean>, attempts = 500): Promise<void> {
  for (let i = 0; i < attempts; i++) if (await check()) return;
  throw new Error(`gave up waiting for ${what}`);
}

export function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** One DER TLV, enough to walk an OCSP response or certificate and slice out the exact bytes of a part: the verifier's own reader. */
export { readDer, type Der } from '../../src/bankid/verification/der.ts';
