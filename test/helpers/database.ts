/**
 * A migrated database per test file: real PostgreSQL when DATABASE_URL is set (a fresh database,
 * dropped afterwards), in-memory PGlite otherwise — started from an image of a migrated cluster, made once per set of
 * migrations and kept in the temp directory, since creating a cluster (initdb) costs seconds per test file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** Where the image of a cluster with every migration applied lives: named by the migrations' contents. */
function migratedImage(): string {
  const dir = new URL('../../migrations/', import.meta.url);
  const hash = createHash('sha256');
  for (const file of readdirSync(dir).sort()) hash.update(file).update(readFileSync(new URL(file, dir)));
  const pglite = JSON.parse(readFileSync(new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url), 'utf8')) as { version: string };
  return join(tmpdir(), `brygga-test-cluster-${pglite.version}-${hash.digest('hex').slice(0, 16)}.tar`);
}
