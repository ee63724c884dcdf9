#!/usr/bin/env node
// The `brygga` command. The sources are TypeScript run by Node's type stripping (default from Node 23.6/22.18);
// on an older Node 22 the flag is added by re-running this file with it.
import { spawnSync } from 'node:child_process';

if (!process.features.typescript) {
  const result = spawnSync(process.execPath, ['--experimental-strip-types', '--no-warnings', ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
await import('../src/cli/main.ts');
