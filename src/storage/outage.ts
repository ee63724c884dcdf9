/**
 * A database that cannot be reached (down, restarting, failing over, network cut, overloaded) is an outage, not a
 * bug: a statement that fails for that reason fails as the catalogue's `database_unavailable` (503, "try again in a
 * moment"), so pages, APIs and the OIDC endpoints answer at once and nothing crashes. The pool reconnects by itself.
 */
import type pg from 'pg';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import { BrokerError } from '../errors/catalogue.ts';
import { runPrepared } from './prepared.ts';

// SQLSTATE: class 08 connection exception, 57P01-57P03 shutdown / cannot connect now, 57014 statement timeout,
// 53300 too many connections.
const OUTAGE_STATE = /^(08...|57P0[1-3]|57014|53300)$/;
const OUTAGE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// node-postgres's own errors for a lost connection or a connect timeout carry no code.
const OUTAGE_MESSAGE = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout)/;

/** Whether `err` says the database cannot be reached now (as opposed to a statement that is wrong). */
export function isOutage(err: unknown): boolean {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (OUTAGE_STATE.test(code) || OUTAGE_ERRNO.has(code))) return true;
  return typeof message === 'string' && OUTAGE_MESSAGE.test(message);
}

/** How long a person or client is asked to wait before trying again. */
const RETRY_AFTER_S = 5;

function rethrow(err: unknown): never {
  if (!isOutage(err)) throw err;
  throw new BrokerError('database_unavailable', `the database is unavailable: ${(err as Error).message}`, { cause: err, retryAfterS: RETRY_AFTER_S });
}

/** The pool as kysely sees it: statements prepared per connection (prepared.ts), outages turned into `database_unavailable`. */
export function outageAwarePool(pool: pg.Pool): PostgresPool {
  // One wrapper per pooled connection: kysely keeps its connection objects by client.
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let wrapper = wrappers.get(client);
    if (!wrapper) {
      // Statements only: kysely would pass a cursor here for streamed queries, which the broker does not configure.
      wrapper = {
        query: ((sql: string, parameters: unknown[]) => runPrepared(client, sql, parameters).catch(rethrow)) as unknown as PostgresPoolClient['query'],
        release: (discard?: boolean) => client.release(discard),
        get processID() { return (client as { processID?: number }).processID; },
      };
      wrappers.set(client, wrapper);
    }
    return wrapper;
  };
  return {
    connect: () => pool.connect().then(wrap, rethrow),
    end: () => pool.end(),
    options: pool.options,
  };
}
