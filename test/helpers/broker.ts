/** A broker for end-to-end tests: the real simulator over mTLS, a fresh database, a port of its own. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startBroker, type BrokerOptions, type RunningBroker } from '../../src/broker.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/simulator/index.ts';
import { createTestDatabase } from './database.ts';
import { TcpLink } from './tcp-link.ts';

export interface TestBroker {
  broker: RunningBroker;
  simulator: RunningSimulator;
  sim: SimulatorControl;
  /** The broker reaches the simulator's RP API through this; cut it to make BankID unreachable. */
  link: TcpLink;
  logLines: string[];
  /**
   * Another replica: a broker of its own (its own port, collector, streams and LISTEN) on the same database and
   * simulator, with `env` over this one's settings; closed with this one.
   */
  replica(env?: Record<string, string>): Promise<RunningBroker>;
  close(): Promise<void>;
}

export class SimulatorControl {
  readonly url: string;
  constructor(url: string) { this.url = url; }
  async post(path: string, body: unknown = {}): Promise<{ status: number; json: Record<string, unknown> }> {
    const response = await fetch(`${this.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, json: await response.json().catch(() => ({})) as Record<string, unknown> };
  }
  async orders(): Promise<Record<string, unknown>[]> {
    const response = await fetch(`${this.url}/sim/orders`);
    const json = await response.json() as { orders?: unknown };
    if (response.status !== 200 || !Array.isArray(json.orders)) throw new Error(`unexpected order listing: ${response.status} ${JSON.stringify(json)}`);
    return json.orders as Record<string, unknown>[];
  }
  /** One order as the simulator holds it; undefined once it is gone (the simulator forgets an order the RP cancelled). */
  async order(orderRef: string): Promise<Record<string, unknown> | undefined> {
    const response = await fetch(`${this.url}/sim/orders/${encodeURIComponent(orderRef)}`);
    const json = await response.json() as Record<string, unknown>;
    if (response.status === 404 && json.error === 'unknown order') return undefined;
    if (response.status !== 200) throw new Error(`unexpected answer for order ${orderRef}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  }
  async latestOrder(): Promise<Record<string, unknown>> {
    const all = await this.orders();
    const latest = all.at(-1);
    if (!latest) throw new Error('the simulator has no order');
    return latest;
  }
  async clearFaults(): Promise<void> {
    await fetch(`${this.url}/sim/faults`, { method: 'DELETE' });
  }
}

export async function startTestBroker(env: Record<string, string> = {}, simulatorOptions: Partial<SimulatorOptions> = {}, onQuery?: (sql: string) => void, brokerOptions: Pick<BrokerOptions, 'consoleClock' | 'database' | 'orderClock'> = {}): Promise<TestBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'brygga-e2e-'));
  const logLines: string[] = [];
  const logger = createLogger({ level: 'info', format: 'json', destination: new Writable({ write(chunk, _e, cb) { logLines.push(chunk.toString()); cb(); } }) });
  const simulator = await startSimulator({ ...loadConfig({}).simulator, certsDir: join(dir, 'certs'), port: 0, controlPort: 0, logger: logger.child({ component: 'simulator' }), ...simulatorOptions });
  const link = await new TcpLink({ port: Number(new URL(simulator.apiUrl).port), host: '127.0.0.1' }).listen();
  const apiUrl = new URL(simulator.apiUrl);
  apiUrl.port = String(link.port);
  const database = await createTestDatabase({ onQuery });
  const settings = {
    PORT: '0',
    METRICS_PORT: '0',
    DATA_DIR: join(dir, 'data'),
    SIMULATOR_CERTS_DIR: join(dir, 'certs'),
    BANKID_API_URL: apiUrl.href,
    SUBJECT_SECRET: 'test-subject-secret-0123456789abcdef',
    ENCRYPTION_KEY: '0'.repeat(63) + '1',
    LOG_LEVEL: 'info',
    // Every test logs in from the one loopback address; test/limits sets the per-address limits it tests.
    RATE_LIMIT_STARTS_PER_IP_PER_MINUTE: '1000',
    RATE_LIMIT_AUTH_PER_IP_PER_MINUTE: '1000',
    ...env,
  };
  const broker = await startBroker(loadConfig(settings), { logger, database, simulator, bankIdRetryDelayMs: () => 50, ...brokerOptions });
  const replicas: RunningBroker[] = [];
  return {
    broker,
    simulator,
    sim: new SimulatorControl(simulator.controlUrl),
    link,
    logLines,
    async replica(replicaEnv = {}) {
      const replica = await startBroker(loadConfig({ ...settings, ...replicaEnv }), { logger: logger.child({ replica: replicas.length + 1 }), database, simulator, bankIdRetryDelayMs: () => 50 });
      replicas.push(replica);
      return replica;
    },
    async close() {
      for (const replica of replicas) await replica.close();
      await broker.close();
      await link.close();
      await simulator.close();
      await database.close();
    },
  };
}
