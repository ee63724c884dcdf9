/**
 * PostgreSQL's LISTEN behind one small interface, so nothing outside src/storage/ knows whether the database is a
 * server or the embedded engine. On a server it is one dedicated connection per process (pooled connections cannot
 * listen), reconnected with a bounded backoff when lost; on PGlite it is the engine's own `listen`.
 */
import pg from 'pg';

/**
 * Every change of an order's status or hint is notified on this channel (migration 0009), payload the order id and
 * what it changed to as JSON (migration 0023; the id alone before).
 */
export const ORDER_CHANGES_CHANNEL = 'brygga_order_changes';

/** A notified change of an order; `to` is missing from a notice in the older form. */
export interface OrderChangeNotice {
  orderId: string;
  to?: { status: string; hintCode: string | null; errorCode: string | null };
}

/** The notice a payload says; undefined for one that says nothing readable (treat it as a lost notification). */
export function parseOrderChange(payload: string): OrderChangeNotice | undefined {
  if (!payload.startsWith('{')) return { orderId: payload };
  try {
    const { id, status, hint, error } = JSON.parse(payload) as Record<string, unknown>;
    if (typeof id !== 'string' || typeof status !== 'string') return undefined;
    return { orderId: id, to: { status, hintCode: typeof hint === 'string' ? hint : null, errorCode: typeof error === 'string' ? error : null } };
  } catch {
    return undefined;
  }
}

/**
 * What a replica may hold of a client in its lookup caches changed: payload `tenant:<id>` (the tenant's policy, so
 * every client of it, or its active certificate) or `client:<id>`. Sent in the statement that makes the change
 * (storage/tenants.ts, storage/rp-certificates.ts).
 */
export const CLIENT_CHANGES_CHANNEL = 'brygga_client_changes';

export interface ListenHandlers {
  onNotify: (payload: string) => void;
  /** The connection was lost and is back: notifications in between are gone, so whatever they were about must be re-read. */
  onReconnect: () => void;
  onError: (err: Error) => void;
}

export interface Listening {
  close(): Promise<void>;
}

const BACKOFF_FIRST_MS = 100;
const BACKOFF_MAX_MS = 5000;

/** LISTEN on a PostgreSQL server over a connection of its own. Resolves once the first LISTEN is in place. */
export async function listenOnServer(url: string, channel: string, handlers: ListenHandlers): Promise<Listening> {
  let closed = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let backoff = BACKOFF_FIRST_MS;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000, keepAlive: true });
    next.on('notification', (message) => { if (message.channel === channel && message.payload) handlers.onNotify(message.payload); });
    next.on('error', (err) => lost(next, err));
    next.on('end', () => lost(next, new Error('the listening connection ended')));
    try {
      await next.connect();
      await next.query(`listen ${pg.escapeIdentifier(channel)}`);
    } catch (err) {
      next.removeAllListeners('end');
      await next.end().catch(() => {});
      throw err;
    }
    if (closed) {
      await next.end().catch(() => {});
      return;
    }
    client = next;
    backoff = BACKOFF_FIRST_MS;
  };

  const reconnect = () => {
    retry = undefined;
    if (closed) return;
    connect().then(() => { if (!closed) handlers.onReconnect(); }, (err: Error) => {
      handlers.onError(err);
      schedule();
    });
  };
  const schedule = () => {
    if (closed || retry) return;
    retry = setTimeout(reconnect, backoff);
    retry.unref();
    backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
  };
  const lost = (which: pg.Client, err: Error) => {
    if (closed || which !== client) return;
    client = undefined;
    which.removeAllListeners('end');
    which.end().catch(() => {});
    handlers.onError(err);
    schedule();
  };

  await connect();
  return {
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const last = client;
      client = undefined;
      if (last) {
        last.removeAllListeners('end');
        await last.end().catch(() => {});
      }
    },
  };
}
