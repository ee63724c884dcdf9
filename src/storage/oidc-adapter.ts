/**
 * oidc-provider's storage adapter on the `oidc_payload` table: every replica shares sessions, interactions,
 * grants, codes, tokens and replay-detection entries. Payloads are stored as they come (the library may add
 * properties in any minor release); only the columns the provider looks things up by are copied out.
 */
import { sql } from 'kysely';
import { errors, type Adapter, type AdapterFactory, type AdapterPayload } from 'oidc-provider';
import type { Logger } from '../observability/logger.ts';
import { possibleKey, storableText, type Db } from './database.ts';

export type ClientFinder = (clientId: string) => Promise<Record<string, unknown> | undefined>;

export interface OidcAdapterOptions {
  /** Where `Client` lookups go: clients live in their own table. Without it no client is found. */
  clientFinder?: ClientFinder;
}

/** Clients are registered through Brygga's own client store, never written by oidc-provider. */
export class ClientStoreReadOnlyError extends Error {
  constructor(operation: string) {
    super(`oidc-provider tried to ${operation} a Client through the adapter; clients are managed in the clients table (dynamic registration is not supported)`);
    this.name = 'ClientStoreReadOnlyError';
  }
}

/**
 * The models whose entities belong to a grant. Only these get a grant_id, so revokeByGrantId (one statement across
 * models) removes what the provider means by "the grant's tokens" and leaves e.g. an Interaction naming the grant.
 */
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest', 'PreAuthorizedCode']);

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/**
 * The payload as jsonb text. A string Postgres cannot store came from the request (a parameter, a request object),
 * so it is the client's invalid request, answered as the endpoint answers one, not a server error.
 */
function serialise(payload: AdapterPayload): string {
  return JSON.stringify(payload, (key, value: unknown) => {
    if (!storableText(key) || (typeof value === 'string' && !storableText(value))) {
      throw new errors.InvalidRequest('the request contains characters that cannot be processed (U+0000 or an unpaired surrogate)');
    }
    return value;
  });
}

class PayloadAdapter implements Adapter {
  readonly #db: Db;
  readonly #model: string;

  constructor(db: Db, model: string) {
    this.#db = db;
    this.#model = model;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const columns = {
      payload: serialise(payload),
      grant_id: GRANTABLE.has(this.#model) ? text(payload.grantId) : null,
      uid: text(payload.uid),
      user_code: text(payload.userCode),
      // The database clock, not this replica's, so expiry agrees with the `now()` every lookup compares against.
      expires_at: expiresIn === undefined ? null : sql<Date>`now() + make_interval(secs => ${expiresIn})`,
      consumed_at: null, // a replaced entity starts unconsumed, as in the library's reference adapter
    };
    await this.#db.insertInto('oidc_payload')
      .values({ model: this.#model, id, ...columns })
      .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(columns))
      .execute();
  }

  find(id: string): Promise<AdapterPayload | undefined> {
    return this.#findWhere('id', id);
  }

  findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.#findWhere('uid', uid);
  }

  findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.#findWhere('user_code', userCode);
  }

  async consume(id: string): Promise<void> {
    if (!possibleKey(id)) return;
    await this.#db.updateTable('oidc_payload')
      .set({ consumed_at: sql<Date>`coalesce(consumed_at, now())` })
      .where('model', '=', this.#model)
      .where('id', '=', id)
      .execute();
  }

  async destroy(id: string): Promise<void> {
    if (!possibleKey(id)) return;
    await this.#db.deleteFrom('oidc_payload').where('model', '=', this.#model).where('id', '=', id).execute();
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    if (!possibleKey(grantId)) return;
    await this.#db.deleteFrom('oidc_payload').where('grant_id', '=', grantId).execute();
  }

  /** A value no stored key can equal (a NUL from a request, an overlong token) is simply not found. */
  async #findWhere(column: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
    if (!possibleKey(value)) return undefined;
    const row = await this.#db.selectFrom('oidc_payload')
      .select(['payload', 'consumed_at'])
      .where('model', '=', this.#model)
      .where(column, '=', value)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', sql<Date>`now()`)]))
      .executeTakeFirst();
    if (!row) return undefined;
    const payload = row.payload as AdapterPayload;
    // Code-reuse and refresh-token-reuse detection depend on a truthy `consumed` (epoch seconds, like the reference adapter).
    return row.consumed_at ? { ...payload, consumed: Math.floor(row.consumed_at.getTime() / 1000) } : payload;
  }
}

class ClientAdapter implements Adapter {
  readonly #finder: ClientFinder | undefined;

  constructor(finder: ClientFinder | undefined) {
    this.#finder = finder;
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return (await this.#finder?.(id)) as AdapterPayload | undefined;
  }

  upsert(): Promise<void> { return Promise.reject(new ClientStoreReadOnlyError('save')); }
  destroy(): Promise<void> { return Promise.reject(new ClientStoreReadOnlyError('delete')); }
  consume(): Promise<void> { return Promise.reject(new ClientStoreReadOnlyError('consume')); }
  revokeByGrantId(): Promise<void> { return Promise.reject(new ClientStoreReadOnlyError('revoke')); }
  findByUid(): Promise<undefined> { return Promise.reject(new ClientStoreReadOnlyError('look up by uid')); }
  findByUserCode(): Promise<undefined> { return Promise.reject(new ClientStoreReadOnlyError('look up by user code')); }
}

/** The `adapter` option for oidc-provider: one adapter per model name, all on the same database. */
export function createOidcAdapterFactory(db: Db, options: OidcAdapterOptions = {}): AdapterFactory {
  return (name) => (name === 'Client' ? new ClientAdapter(options.clientFinder) : new PayloadAdapter(db, name));
}

/** Deletes entities that expired more than `graceSeconds` ago (lookups already ignore them); returns how many. */
export async function purgeExpired(db: Db, graceSeconds = 300): Promise<number> {
  const result = await db.deleteFrom('oidc_payload')
    .where('expires_at', '<', sql<Date>`now() - make_interval(secs => ${graceSeconds})`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Runs purgeExpired, then `alsoRun` (other clean-up on the same schedule), every `intervalMs` without keeping the
 * process alive; returns a function that stops it.
 */
export function schedulePurge(db: Db, intervalMs: number, logger: Logger, alsoRun?: () => Promise<void>): () => void {
  let running = false; // a slow purge is not overlapped by the next tick
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      const purged = await purgeExpired(db);
      if (purged > 0) logger.debug({ purged }, 'purged expired OIDC entities');
      await alsoRun?.();
    } catch (err) {
      logger.warn({ err }, 'purge job failed');
    } finally {
      running = false;
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
