/** A broker for end-to-end tests: the real simulator over mTLS, a fresh database, a port of its own. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startBroker, type RunningBroker } from '../../src/broker.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/simulator/index.ts';
import { createTestDatabase } from './database.ts';

export interface TestBroker {
  broker: RunningBroker;
  simulator: RunningSimulator;
  sim: SimulatorControl;
  logLines: string[];
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
    const json = await response.json() as { orders?: Record<string, unknown>[] } | Record<string, unknown>[];
    return Array.isArray(json) ? json : json.orders ?? [];
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

export async function startTestBroker(env: Record<string, string> = {}, simulatorOptions: Partial<SimulatorOptions> = {}, onQuery?: (sql: string) => void): Promise<TestBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'brygga-e2e-'));
  const logLines: string[] = [];
  const logger = createLogger({ level: 'info', format: 'json', destination: new Writable({ write(chunk, _e, cb) { logLines.push(chunk.toString()); cb(); } }) });
  const simulator = await startSimulator({ ...loadConfig({}).simulator, certsDir: join(dir, 'certs'), port: 0, controlPort: 0, logger: logger.child({ component: 'simulator' }), ...simulatorOptions });
  const database = await createTestDatabase({ onQuery });
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: join(dir, 'data'),
    SIMULATOR_CERTS_DIR: join(dir, 'certs'),
    BANKID_API_URL: simulator.apiUrl,
    BANKID_COLLECT_INTERVAL_MS: '1000',
    SUBJECT_SECRET: 'test-subject-secret-0123456789abcdef',
    ENCRYPTION_KEY: '0'.repeat(63) + '1',
    LOG_LEVEL: 'info',
    // Every test logs in from the one loopback address; test/limits sets the per-address limits it tests.
    RATE_LIMIT_STARTS_PER_IP_PER_MINUTE: '1000',
    RATE_LIMIT_AUTH_PER_IP_PER_MINUTE: '1000',
    ...env,
  });
  const broker = await startBroker(config, { logger, database, simulator, bankIdRetryDelayMs: () => 50 });
  return {
    broker,
    simulator,
    sim: new SimulatorControl(simulator.controlUrl),
    logLines,
    async close() {
      await broker.close();
      await simulator.close();
      await database.close();
    },
  };
}
