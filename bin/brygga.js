#!/usr/bin/env node
// The `brygga` command. Its sources are TypeScript, run by Node's own type stripping (Node 22.18+ or 23.6+). Started
// by an older Node (say the system's Node 20), it runs itself again with the project's pinned Node 24
// (node_modules/.bin/node, installed by `npm install`), or with the strip-types flag on a Node 22 that has it.
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

if (!process.features.typescript) {
  const self = fileURLToPath(import.meta.url);
  const pinned = fileURLToPath(new URL('../node_modules/.bin/node', import.meta.url));
  const usePinned = existsSync(pinned) && realpathSync(pinned) !== realpathSync(process.execPath);
  const [command, flags] = usePinned ? [pinned, []]
    : process.allowedNodeEnvironmentFlags.has('--experimental-strip-types') ? [process.execPath, ['--experimental-strip-types', '--no-warnings']]
      : [undefined, []];
  if (!command) {
    const project = fileURLToPath(new URL('..', import.meta.url));
    process.stderr.write(`brygga: Node.js ${process.version} cannot run it; run "npm install" in ${project} (it brings the project's Node 24), then "npx brygga".\n`);
    process.exit(1);
  }
  const result = spawnSync(command, [...flags, self, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (result.error) process.stderr.write(`brygga: cannot start ${command}: ${result.error.message}\n`);
  process.exit(result.status ?? 1);
}
await import('../src/cli/main.ts');
