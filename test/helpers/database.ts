/**
 * A migrated database per test file: real PostgreSQL when DATABASE_URL is set (a fresh database,
 * dropped afterwards), in-memory PGlite otherwise — started from an image of a migrated cluster, made once per set of
 * migrations and kept in the temp directory, since creating a cluster (initdb) costs seconds per test file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { openDatabase, type DatabaseHandle } from '../../src/storage/database.ts';
import { migrateToLatest } from '../../src/storage/migrator.ts';

export async function createTestDatabase(options: { onQuery?: (sql: string) => void; migrate?: boolean } = {}): Promise<DatabaseHandle & { url?: string }> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    if (options.migrate === false) return openDatabase({ dataDir: 'memory://', onQuery: options.onQuery });
    const image = migratedImage();
    const handle = await openDatabase({ dataDir: 'memory://', onQuery: options.onQuery, ...(existsSync(image) ? { image } : {}) });
    await migrateToLatest(handle.db);
    if (!existsSync(image)) {
      // Written aside and renamed: test files starting together never read half an image.
      const partial = `${image}.${process.pid}.${randomBytes(4).toString('hex')}`;
      writeFileSync(partial, await handle.dumpImage!());
      renameSync(partial, image);
    }
    return handle;
  }
  const name = `brygga_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ url: url.toString(), dataDir: 'unused', onQuery: options.onQuery });
  if (options.migrate !== false) await migrateToLatest(handle.db);
  return {
    ...handle,
    url: url.toString(),
    async close() {
      await handle.close();
      const dropper = new pg.Client({ connectionString: serverUrl });
      await dropper.connect();
      await dropper.query(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}

/**
 * A new embedded data directory (DATA_DIR) that already holds a migrated cluster, for tests that run `brygga` as a
 * process: its first command then opens the cluster instead of creating it (initdb and every migration, seconds of
 * CPU per test file). test/cli/clients.test.ts starts from an empty one, so that path stays covered.
 */
export async function embeddedDataDir(): Promise<string> {
  const image = migratedImage();
  if (!existsSync(image)) await (await createTestDatabase()).close(); // makes the image
  const dataDir = mkdtempSync(join(tmpdir(), 'brygga-data-'));
  extractTar(readFileSync(image), join(dataDir, 'pglite')); // where openDatabase keeps the cluster in DATA_DIR
  return dataDir;
}

/** Writes the directories and files of an uncompressed tarball (as PGlite dumps a data directory) under `dir`. */
function extractTar(tarball: Buffer, dir: string): void {
  const BLOCK = 512;
  for (let at = 0; at + BLOCK <= tarball.length;) {
    const field = (offset: number, length: number) => tarball.toString('utf8', at + offset, at + offset + length).replace(/\0.*$/s, '');
    const [name, prefix, type] = [field(0, 100), field(345, 155), field(156, 1)];
    if (!name) break; // the zero blocks that end the archive
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const target = join(dir, prefix, name);
    if (type === '5') mkdirSync(target, { recursive: true, mode: 0o700 });
    else if (type === '0' || type === '') {
      mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
      writeFileSync(target, tarball.subarray(at + BLOCK, at + BLOCK + size), { mode: 0o600 });
    } else throw new Error(`${name}: tar entry type ${type} is not a directory or a file`);
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
}

/** Where the image of a cluster with every migration applied lives: named by the migrations' contents. */
function migratedImage(): string {
  const dir = new URL('../../migrations/', import.meta.url);
  const hash = createHash('sha256');
  for (const file of readdirSync(dir).sort()) hash.update(file).update(readFileSync(new URL(file, dir)));
  const pglite = JSON.parse(readFileSync(new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url), 'utf8')) as { version: string };
  return join(tmpdir(), `brygga-test-cluster-${pglite.version}-${hash.digest('hex').slice(0, 16)}.tar`);
}
