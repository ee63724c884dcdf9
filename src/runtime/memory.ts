/**
 * Start-up leaves garbage behind (modules compiled, migrations, keys, PGlite's initdb) and a young generation that
 * grew to 32 MB per half while it ran; V8 keeps that size, fully resident, until it sees a reason to shrink, and a
 * process waiting for traffic gives it none. One memory-reducing collection once start-up is done frees both
 * (about 45 MB resident); under load V8 grows the young generation again as it sees fit.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

export function releaseStartupMemory(): void {
  // `--expose-gc` set at run time defines `gc` only in contexts created after it, hence the new context.
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as Gc)({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}
