/**
 * Prints the test files CI runs a second time, on a PostgreSQL server: those whose answer can depend on
 * `DATABASE_URL`, i.e. that reach the database code (`src/storage/database.ts`) or read `DATABASE_URL` through their
 * relative imports; the others (the simulator, the BankID client, QR, configuration, chart checks…) never open a
 * database, so a second run would only repeat them. The Chromium tests (those importing `test/helpers/chromium.ts`)
 * run once too, on the embedded engine: they check what a page shows and runs, and every flow they drive has its
 * HTTP-level test (test/e2e, test/interaction, test/console) in this list, where the database under it matters.
 * Usage: `node .ci/database-tests.ts` (prints one path per line, sorted).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const DATABASE_CODE = resolve(root, 'src/storage/database.ts');
const BROWSER_HELPER = resolve(root, 'test/helpers/chromium.ts');
const READS_DATABASE_URL = /process\.env\.DATABASE_URL|env\[['"]DATABASE_URL['"]\]/;
const IMPORT = /(?:^|[\s;])(?:import|export)\b[^'"`;]*?(?:from\s*)?['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

const sources = new Map<string, string | undefined>();

function sourceOf(file: string): string | undefined {
  if (!sources.has(file)) {
    try {
      sources.set(file, readFileSync(file, 'utf8'));
    } catch {
      sources.set(file, undefined); // a package or a generated file: not ours
    }
  }
  return sources.get(file);
}

/** The file and everything it imports through relative paths (packages are not ours and are left out). */
function closure(file: string, files = new Set<string>()): Set<string> {
  if (files.has(file)) return files;
  files.add(file);
  for (const match of (sourceOf(file) ?? '').matchAll(IMPORT)) closure(resolve(dirname(file), (match[1] ?? match[2])!), files);
  return files;
}

function reachesDatabase(files: Set<string>): boolean {
  return files.has(DATABASE_CODE) || [...files].some((file) => READS_DATABASE_URL.test(sourceOf(file) ?? ''));
}

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const selected = testFiles(join(root, 'test'))
  .filter((file) => {
    const files = closure(file);
    return reachesDatabase(files) && !files.has(BROWSER_HELPER);
  })
  .map((file) => relative(root, file)).sort();
if (selected.length === 0) throw new Error('no test file reaches the database: the import scan is broken');
process.stdout.write(`${selected.join('\n')}\n`);
