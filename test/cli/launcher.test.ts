/**
 * The `brygga` command as the README shows it, from a shell without the project's node_modules/.bin on PATH: on the
 * system's Node (older than the project's), through npx and npm run; and a database it cannot use ends it with one
 * readable line and a non-zero exit.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/brygga.js');
const PATH = (process.env.PATH ?? '').split(':').filter((dir) => !dir.includes('node_modules')).join(':');
const env = { PATH, HOME: process.env.HOME ?? tmpdir(), ENCRYPTION_KEY: 'ab'.repeat(32), SUBJECT_SECRET: 's'.repeat(40), LOG_LEVEL: 'warn' };

function run(command: string, args: string[], extra: Record<string, string> = {}) {
  const result = spawnSync(command, args, { cwd: ROOT, env: { ...env, ...extra }, encoding: 'utf8', timeout: 90_000 });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const systemNode = spawnSync('node', ['--version'], { env, encoding: 'utf8' });
const hasSystemNode = !systemNode.error && systemNode.status === 0;

test('node bin/brygga.js works on the system Node, whatever its version', { skip: hasSystemNode ? false : 'no node on the system PATH' }, () => {
  const help = run('node', [BIN, '--help']);
  assert.equal(help.code, 0, `system Node ${systemNode.stdout.trim()}: ${help.stderr}`);
  assert.match(help.stdout, /^Usage: brygga <command>/);
});

test('npx brygga and npm run brygga work as the README shows', () => {
  const npx = run('npx', ['brygga', '--help']);
  assert.equal(npx.code, 0, npx.stderr);
  assert.match(npx.stdout, /^Usage: brygga <command>/);
  const npmRun = run('npm', ['run', '--silent', 'brygga', '--', '--help']);
  assert.equal(npmRun.code, 0, npmRun.stderr);
  assert.match(npmRun.stdout, /^Usage: brygga <command>/);
});

/** stderr must be exactly one line, with no stack trace. */
function assertOneLine(stderr: string): string {
  const lines = stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, stderr);
  assert.doesNotMatch(stderr, /^\s+at /m);
  return lines[0]!;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

test('DATABASE_URL pointing at nothing: one line naming the database (not the password), exit 1', async () => {
  const probe = createServer();
  const port = await listen(probe);
  await new Promise((resolve) => probe.close(resolve)); // now nothing listens there
  const result = run(process.execPath, [BIN, 'clients', 'list'], { DATABASE_URL: `postgres://brygga:hunter2@127.0.0.1:${port}/brygga` });
  assert.equal(result.code, 1);
  const line = assertOneLine(result.stderr);
  assert.match(line, new RegExp(`^brygga: cannot reach database "brygga" at 127\\.0\\.0\\.1:${port} \\(DATABASE_URL\\): .*ECONNREFUSED.* \\[database_unavailable\\]$`));
  assert.doesNotMatch(line, /hunter2/);
});

test('a database server that never answers: the command gives up within its bound with one line', async () => {
  const sockets = new Set<Socket>();
  const silent = createServer((socket) => { sockets.add(socket); });
  const port = await listen(silent);
  try {
    const started = Date.now();
    const result = spawnSync(process.execPath, [BIN, 'migrate'], { env: { ...env, DATABASE_URL: `postgres://brygga@127.0.0.1:${port}/brygga` }, encoding: 'utf8', timeout: 60_000 });
    assert.equal(result.status, 1, result.stderr);
    assert.match(assertOneLine(result.stderr), /cannot reach database "brygga"/);
    assert.ok(Date.now() - started < 30_000);
  } finally {
    for (const socket of sockets) socket.destroy();
    silent.close();
  }
});

test('an embedded data directory locked by a running broker: one line saying so, exit 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'brygga-locked-'));
  writeFileSync(join(dir, 'brygga.lock'), String(process.pid)); // this test process is alive: the lock holds
  const result = run(process.execPath, [BIN, 'clients', 'list'], { DATA_DIR: dir });
  assert.equal(result.code, 1);
  assert.match(assertOneLine(result.stderr), /in use by another Brygga process/);
});
