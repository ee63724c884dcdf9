/**
 * Named (prepared) statements on a server connection. PostgreSQL parses and plans a statement the first time a
 * connection runs its text and keeps it; later runs only bind and execute. Planning was nearly half the server time
 * of a login's statements (pg_stat_statements with track_planning, issue 7). The name is a digest of the text, so the
 * same text always has the same name and two texts never share one.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';

/** The broker's statements are a few dozen; admin queries with filters vary, and past this they run unnamed as before. */
const MAX_PER_CONNECTION = 200;
/** SQLSTATE 0A000 with this text: the result columns of a prepared `select *` changed (a newer replica migrated). */
const STALE_PLAN = /cached plan must not change result type/;

interface Prepared { names: Set<string>; stale: boolean }
const byClient = new WeakMap<pg.ClientBase, Prepared>();

/** Runs one statement on `client`, named unless the connection has prepared its share or met a stale plan. */
export async function runPrepared(client: pg.ClientBase, text: string, values: unknown[]): Promise<pg.QueryResult> {
  let prepared = byClient.get(client);
  if (!prepared) byClient.set(client, prepared = { names: new Set(), stale: false });
  const name = `b${createHash('sha1').update(text).digest('base64url')}`;
  if (prepared.stale || (!prepared.names.has(name) && prepared.names.size >= MAX_PER_CONNECTION)) return client.query(text, values);
  prepared.names.add(name);
  try {
    return await client.query({ name, text, values });
  } catch (err) {
    if (!STALE_PLAN.test((err as Error).message)) throw err;
    // This connection's plans predate the schema: it prepares nothing more. Outside a transaction the statement
    // succeeds unnamed; inside one the transaction has failed and the error stands.
    prepared.stale = true;
    return client.query(text, values);
  }
}
