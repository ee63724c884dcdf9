/**
 * The container image's start command, as the Dockerfile's CMD runs it with the image's environment: it refuses to
 * start when a required setting is missing (one message naming the variable, exit 1), and with every required setting
 * it serves the probes after `brygga migrate` (the chart's hook) and stops cleanly on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ensureCertificates } from '../../src/simulator/certs.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { until } from '../helpers/until.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

/** The runtime stage's CMD, with `node` as this test's Node 24 (the image's base is Node 24 too). */
function imageCommand(): { command: string; args: string[] } {
  const cmd = /^CMD (\[.*\])$/m.exec(dockerfile);
  assert.ok(cmd, 'the Dockerfile has an exec-form CMD');
  const [program, ...args] = JSON.parse(cmd[1]!) as string[];
  assert.equal(program, 'node', 'node runs as PID 1 (it handles SIGTERM itself)');
  return { command: process.execPath, args };
}

/** The image's ENV lines (NODE_ENV=production, HOST, PORT). */
function imageEnv(): Record<string, string> {
  const block = /^ENV ((?:.*\\\n)*.*)$/m.exec(dockerfile);
  assert.ok(block, 'the Dockerfile sets its environment');
  return Object.fromEntries([...block[1]!.matchAll(/(\w+)=(\S+)/g)].map(([, k, v]) => [k!, v!]));
}

/** V8's memory settings in a command's Node flags. */
const memoryFlags = (args: string[]) => args.filter((a) => /^--(max-(semi|old)-space-size|heap-growing-percent)=/.test(a));

test('the image starts Node with the memory settings of `npm start` (a young generation of 2 x 16 MB, old generation grown by 30 %)', () => {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const fromStart = memoryFlags(scripts.start.split(' '));
  assert.deepEqual(fromStart, ['--max-semi-space-size=16', '--heap-growing-percent=30']);
  assert.deepEqual(memoryFlags(imageCommand().args), fromStart);
});

const secrets = { ENCRYPTION_KEY: 'ab'.repeat(32), SUBJECT_SECRET: 's'.repeat(40) };

test('the image runs Node 24 slim as a numeric non-root user, production dependencies only', () => {
  assert.match(dockerfile, /^ARG NODE_IMAGE=node:24-[\w-]*slim$/m);
  assert.match(dockerfile, /^RUN npm ci --omit=dev /m);
  assert.match(dockerfile, /^USER \d+:\d+$/m);
  assert.match(dockerfile, /^HEALTHCHECK /m);
  assert.equal(imageEnv().NODE_ENV, 'production');
});

for (const missing of ['SUBJECT_SECRET', 'ENCRYPTION_KEY'] as const) {
  test(`with NODE_ENV=production and no ${missing}: one message naming it, exit 1, nothing started`, () => {
    const { command, args } = imageCommand();
    const env = { PATH: process.env.PATH ?? '', ...imageEnv(), HOST: '127.0.0.1', PORT: '0', METRICS_PORT: '0', ...secrets, DATABASE_URL: 'postgres://brygga@127.0.0.1:1/brygga' };
    delete (env as Record<string, string>)[missing];
    const result = spawnSync(command, args, { cwd: ROOT, env, encoding: 'utf8', timeout: 30_000 });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, new RegExp(`^Invalid configuration:\\n  ${missing}: required outside demo mode`));
    assert.match(result.stderr, /Brygga did not start/);
    assert.doesNotMatch(result.stderr, /^\s+at /m, 'no stack trace');
    assert.equal(result.stdout, '', 'nothing was started or logged');
  });
}

test('with every required setting: migrate, then the probes answer; SIGTERM stops it cleanly', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'brygga-image-'));
  const certs = ensureCertificates(join(dir, 'certs'), 'image-test-passphrase');
  // Real PostgreSQL when DATABASE_URL is set (a fresh database), else the embedded engine in a directory.
  const database = process.env.DATABASE_URL ? await createTestDatabase({ migrate: false }) : undefined;
  const dbSettings = database ? { DATABASE_URL: database.url! } : { DATA_DIR: join(dir, 'data') };
  const env = {
    PATH: process.env.PATH ?? '', ...imageEnv(), HOST: '127.0.0.1', PORT: '0', METRICS_PORT: '0', ...secrets, ...dbSettings, LOG_LEVEL: 'info',
    BANKID_ENV: 'test', BANKID_CA_FILE: certs.files.ca, BANKID_USER_ROOT_CA_FILE: certs.files.userRootCa, BANKID_CERT_FILE: certs.files.rpP12, BANKID_CERT_PASSPHRASE: 'image-test-passphrase',
  };
  try {
    const migrate = spawnSync(process.execPath, ['bin/brygga.js', 'migrate'], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
    assert.equal(migrate.status, 0, migrate.stderr);

    const { command, args } = imageCommand();
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const listening = await until(async () => /"issuer":"http:\/\/localhost:(\d+)"[^\n]*"msg":"brygga listening"/.exec(stdout), (m) => m !== null || child.exitCode !== null, 'the broker listens', 300, 100);
      assert.ok(listening, `did not start: ${stderr}${stdout}`);
      const base = `http://127.0.0.1:${listening[1]}`;
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
      const ready = await fetch(`${base}/readyz`);
      assert.equal(ready.status, 200, await ready.clone().text());
      assert.equal(((await ready.json()) as { status: string }).status, 'ready');
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, stderr);
    assert.match(stdout, /"signal":"SIGTERM"[^\n]*"msg":"stopping"/);
  } finally {
    await database?.close();
  }
});
