/**
 * Prints the test files whose answer can depend on `DATABASE_URL`: those that reach the database code
 * (`src/storage/database.ts`) or read `DATABASE_URL` from the environment through their relative imports. CI runs
 * every test on the embedded engine and then these again on a PostgreSQL server; the others (the simulator, the
 * BankID client, QR, configuration, chart checks…) never open a database, so a second run would only repeat them.
 * Usage: `node .ci/database-tests.ts` (prints one path per line, sorted).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const DATABASE_CODE = resolve(root, 'src/storage/database.ts');
const IMPORT = /(?:^|[\s;])(?:import|export)\b[^'"`;]*?(?:from\s*)?['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

const reaches = new Map<string, boolean>();

/** Whether the file, or anything it imports, opens a database or reads `DATABASE_URL`. */
function reachesDatabase(file: string): boolean {
  const known = reaches.get(file);
  if (known !== undefined) return known;
  reaches.set(file, false); // an import cycle adds nothing new
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    return false; // a package or a generated file: not ours
  }
  let found = file === DATABASE_CODE || /process\.env\.DATABASE_URL|env\[['"]DATABASE_URL['"]\]/.test(source);
  for (const match of source.matchAll(IMPORT)) {
    if (found) break;
    found = reachesDatabase(resolve(dirname(file), (match[1] ?? match[2])!));
  }
  reaches.set(file, found);
  return found;
}

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const selected = testFiles(join(root, 'test')).filter(reachesDatabase).map((file) => relative(root, file)).sort();
if (selected.length === 0) throw new Error('no test file reaches the database: the import scan is broken');
process.stdout.write(`${selected.join('\n')}\n`);
