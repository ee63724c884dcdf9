/** The `brygga` command run as a process of its own, asynchronously, so a broker in the test's process keeps answering. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/brygga.js', import.meta.url));

export interface CliResult { code: number | null; stdout: string; stderr: string }

/** Runs `brygga args…` with only PATH, `LOG_LEVEL=warn` and `env` in its environment. */
export async function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const [code] = await once(child, 'close') as [number | null];
  return { code, stdout, stderr };
}
