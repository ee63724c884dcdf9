/**
 * Starting what the bench measures, each as its own process on 127.0.0.1: BankID simulators (`npm run simulator`),
 * the broker (`npm start` configured for production against an external simulator), the bare baselines, and the
 * demo mode for its idle memory. The bench client is registered with the `brygga` CLI before the broker starts
 * (the embedded database admits one process at a time).
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { discover, type Target } from './driver.ts';
import { firstLine, freePort, LineFeed, ROOT, spawnNode, waitReady, type Child } from './processes.ts';

export const REDIRECT_URI = 'https://rp.example/callback';
const CLIENT_ID = 'bench';
const CLIENT_SECRET = 'bench-secret-0123456789abcdefghijklmnop';
/** Far above any load the bench makes: the limiter must not refuse the bench's one loopback address. */
export const UNLIMITED_RATES = {
  RATE_LIMIT_STARTS_PER_IP_PER_MINUTE: '100000000',
  RATE_LIMIT_STARTS_PER_CLIENT_PER_MINUTE: '100000000',
  RATE_LIMIT_AUTH_PER_IP_PER_MINUTE: '100000000',
};
/** The bench's client: a first-party app (no consent page) doing the authorization-code flow. */
export const CLIENT = {
  client_id: CLIENT_ID,
  client_secret: CLIENT_SECRET,
  client_name: 'Bench',
  redirect_uris: [REDIRECT_URI],
  scope: 'openid profile',
  brygga_first_party: true,
};

/** The driver's view of a provider at `issuer` serving the bench client. */
export function targetAt(name: string, flow: Target['flow'], issuer: string): Promise<Target> {
  return discover({ name, flow, issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: REDIRECT_URI });
}
/** Node's flags in `npm start` (package.json, read from there): the broker is measured as it is started. */
const START_FLAGS = [
  ...startFlags(),
  ...(process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : []),
  // Node or V8 flags for an experiment (e.g. `--max-semi-space-size=16`), given to the brokers and demo mode.
  ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
];
/** Orders must outlive a ramp of many waiting pages plus the hold. */
const SIMULATOR_ORDER_LIFETIME_S = '3600';

/** The flags between `node` and `src/main.ts` in package.json's `start` script. */
function startFlags(): string[] {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const words = scripts.start.split(' ');
  if (words[0] !== 'node' || words.at(-1) !== 'src/main.ts') throw new Error(`package.json's start script is not "node [flags] src/main.ts": ${scripts.start}`);
  return words.slice(1, -1);
}

/** Where the broker's data lives: a database on a PostgreSQL server, or an embedded one in a directory. */
export type Store = { url: string } | { dataDir: string };

export interface Simulator {
  child: Child;
  apiUrl: string;
  controlUrl: string;
  /** The simulator's log lines (JSON), for counting its RP API calls. */
  lines: LineFeed;
}

export interface Server {
  child: Child;
  target: Target;
}

/** What a broker logged (at warn and above), by message, with the first lines as samples: the reasons behind errors. */
export class LogTally {
  readonly counts: Record<string, number> = {};
  readonly samples: string[] = [];
  readonly add = (line: string) => {
    let msg: string;
    try {
      msg = String((JSON.parse(line) as { msg?: unknown }).msg);
    } catch {
      msg = line.slice(0, 100);
    }
    this.counts[msg] = (this.counts[msg] ?? 0) + 1;
    if (this.samples.length < 5) this.samples.push(line.slice(0, 400));
  };
}

/** A simulator with its certificates in `certsDir` (created by the first one); debug logs every RP API call. */
export async function startSimulator(name: string, certsDir: string, options: { autoApproveMs?: number; logCalls?: boolean }): Promise<Simulator> {
  const lines = new LineFeed();
  const child = spawnNode(name, 'src/simulator/main.ts', {
    SIMULATOR_CERTS_DIR: certsDir,
    SIMULATOR_PORT: '0',
    SIMULATOR_CONTROL_PORT: '0',
    SIMULATOR_START_TIMEOUT_S: SIMULATOR_ORDER_LIFETIME_S,
    SIMULATOR_ORDER_TTL_S: SIMULATOR_ORDER_LIFETIME_S,
    ...(options.autoApproveMs !== undefined ? { SIMULATOR_AUTO_APPROVE: String(options.autoApproveMs) } : {}),
    LOG_FORMAT: 'json',
    LOG_LEVEL: options.logCalls ? 'debug' : 'info',
  }, lines.push);
  const ready = await firstLine(lines, child, (line) => {
    if (!line.includes('BankID simulator ready')) return undefined;
    return JSON.parse(line) as { apiUrl: string; appUrl: string };
  });
  return { child, apiUrl: ready.apiUrl, controlUrl: ready.appUrl, lines };
}

function storeEnv(store: Store): Record<string, string> {
  return 'url' in store ? { DATABASE_URL: store.url } : { DATA_DIR: store.dataDir };
}

function brokerEnv(store: Store, certsDir: string, port: number, simulator?: Simulator): Record<string, string> {
  return {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    METRICS_PORT: '0',
    ISSUER: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    ...storeEnv(store),
    AUTO_MIGRATE: 'true',
    BANKID_ENV: 'simulator',
    ...(simulator ? { BANKID_API_URL: simulator.apiUrl } : {}),
    SIMULATOR_CERTS_DIR: certsDir, // the simulator's CA and rp.p12
    SUBJECT_SECRET: 'bench-subject-secret-0123456789abcdef',
    ENCRYPTION_KEY: '0'.repeat(63) + '1',
    ...UNLIMITED_RATES,
  };
}

/** `brygga clients add --file` (it applies the migrations first); run before the broker opens the database. */
export async function registerClient(store: Store, certsDir: string, workDir: string): Promise<void> {
  const file = join(workDir, 'client.json');
  writeFileSync(file, JSON.stringify(CLIENT));
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...brokerEnv(store, certsDir, 1) };
  await promisify(execFile)(process.execPath, ['bin/brygga.js', 'clients', 'add', '--file', file], { cwd: ROOT, env, timeout: 60_000 })
    .catch((err: Error & { stderr?: string }) => { throw new Error(`brygga clients add failed: ${err.stderr || err.message}`); });
}

export async function startBroker(name: string, store: Store, certsDir: string, simulator: Simulator): Promise<Server & { log: LogTally }> {
  const port = await freePort();
  const log = new LogTally();
  const child = spawnNode(name, 'src/main.ts', brokerEnv(store, certsDir, port, simulator), log.add, START_FLAGS);
  const issuer = `http://127.0.0.1:${port}`;
  await waitReady(child, `${issuer}/readyz`);
  return { child, log, target: await targetAt('brygga', 'brygga', issuer) };
}

/** The bare oidc-provider with the naive kysely adapter (`store`) or, without a store, the memory adapter. */
export async function startBaseline(store?: Store): Promise<Server> {
  const port = await freePort();
  const name = store ? 'bare-kysely' : 'bare-memory';
  const child = spawnNode(name, 'test/bench/baseline/main.ts', {
    NODE_ENV: 'production',
    PORT: String(port),
    BASELINE_ADAPTER: store ? 'kysely' : 'memory',
    ...(store ? storeEnv(store) : {}),
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
  });
  const issuer = `http://127.0.0.1:${port}`;
  await waitReady(child, `${issuer}/.well-known/openid-configuration`);
  return { child, target: await targetAt(name, 'bare', issuer) };
}

/** `npm start` with nothing configured but ports and directories: demo mode (embedded database, in-process simulator). */
export async function startDemo(workDir: string, certsDir: string): Promise<Child> {
  const port = await freePort();
  const child = spawnNode('demo', 'src/main.ts', {
    HOST: '127.0.0.1',
    PORT: String(port),
    METRICS_PORT: '0',
    DATA_DIR: join(workDir, 'demo-data'),
    SIMULATOR_CERTS_DIR: certsDir,
    SIMULATOR_PORT: '0',
    SIMULATOR_CONTROL_PORT: '0',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
  }, undefined, START_FLAGS);
  await waitReady(child, `http://127.0.0.1:${port}/healthz`);
  return child;
}
