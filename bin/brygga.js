#!/usr/bin/env node
// The `brygga` command. Its sources are TypeScript, run by Node's own type stripping (Node 22.18+ or 23.6+). Started
// by an older Node (say the system's Node 20), it runs itself again with the project's pinned Node 24
// (node_modules/.bin/node, installed by `npm install`), or with the strip-types flag on a Node 22 that has it.
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const LIFTOFF_ONLY = '--liftoff-only';
const args = process.argv.slice(2);
const { env } = process;
// A command that may start the embedded database also runs itself again with --liftoff-only, as `npm start` runs the
// server: without it V8 recompiles the engine's WebAssembly with TurboFan in the background, which doubled a command's
// CPU time and added about 450 MB (docs/performance.md, "The command line"); V8 flags are fixed once a process runs.
// Help, a broker's admin API (--url, BRYGGA_URL) and a PostgreSQL server (DATABASE_URL) need no second start; a wrong
// guess costs only time.
const embedded = args.length > 0 && args[0] !== '--help' && args[0] !== 'help' && !env.DATABASE_URL && !env.DATABASE_URL_FILE
  && !env.BRYGGA_URL && !args.some((a) => a === '--url' || a.startsWith('--url='));
const flagsNeeded = embedded && !process.execArgv.includes(LIFTOFF_ONLY) ? [LIFTOFF_ONLY] : [];

if (!process.features.typescript || flagsNeeded.length) {
  const self = fileURLToPath(import.meta.url);
  const pinned = fileURLToPath(new URL('../node_modules/.bin/node', import.meta.url));
  const usePinned = existsSync(pinned) && realpathSync(pinned) !== realpathSync(process.execPath);
  const [command, flags] = process.features.typescript ? [process.execPath, process.execArgv]
    : usePinned ? [pinned, []]
      : process.allowedNodeEnvironmentFlags.has('--experimental-strip-types') ? [process.execPath, ['--experimental-strip-types', '--no-warnings']]
        : [undefined, []];
  if (!command) {
    const project = fileURLToPath(new URL('..', import.meta.url));
    process.stderr.write(`brygga: Node.js ${process.version} cannot run it; run "npm install" in ${project} (it brings the project's Node 24), then "npx brygga".\n`);
    process.exit(1);
  }
  const result = spawnSync(command, [...flags, ...(embedded ? [LIFTOFF_ONLY] : []), self, ...args], { stdio: 'inherit' });
  if (result.error) process.stderr.write(`brygga: cannot start ${command}: ${result.error.message}\n`);
  process.exit(result.status ?? 1);
}
await import('../src/cli/main.ts');
