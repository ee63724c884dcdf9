/**
 * oidc-provider's storage adapter on the `oidc_payload` table: every replica shares sessions, interactions,
 * grants, codes, tokens and replay-detection entries. Payloads are stored as they come (the library may add
 * properties in any minor release); only the columns the provider looks things up by are copied out.
 */
import { sql } from 'kysely';
import { errors, type Adapter, type AdapterFactory, type AdapterPayload } from 'oidc-provider';
import type { Logger } from '../observability/logger.ts';
import { possibleKey, storableText, type Db } from './database.ts';
import { live, payloadOf } from './oidc-rows.ts';
import { entityWrites } from './oidc-writes.ts';
import { copyPayload, requestScope } from './request-scope.ts';
import { findTokenWithContext, SESSION_BY_UID } from './token-context.ts';

export type ClientFinder = (clientId: string) => Promise<Record<string, unknown> | undefined>;

/**
 * Where oidc-provider's own `Client` writes go: dynamic client registration (RFC 7591/7592) stores and deletes a
 * client through the adapter. The writer decides whether the request may (and may refuse with a ClientStoreReadOnlyError).
 */
export interface ClientWriter {
  save(clientId: string, metadata: Record<string, unknown>): Promise<void>;
  remove(clientId: string): Promise<void>;
}

export interface OidcAdapterOptions {
  /** Where `Client` lookups go: clients live in their own table. Without it no client is found. */
  clientFinder?: ClientFinder;
  /** Where `Client` saves and deletes go (dynamic registration); without it they fail. */
  clientWriter?: ClientWriter;
}

/** Clients are registered through Brygga's own client store; oidc-provider writes one only for dynamic registration. */
export class ClientStoreReadOnlyError extends Error {
  constructor(operation: string) {
    super(`oidc-provider tried to ${operation} a Client through the adapter; clients are managed in the clients table (only dynamic client registration writes them, when DYNAMIC_CLIENT_REGISTRATION is on)`);
    this.name = 'ClientStoreReadOnlyError';
  }
}

/**
 * The models whose entities belong to a grant. Only these get a grant_id, so revokeByGrantId (one statement across
 * models) removes what the provider means by "the grant's tokens" and leaves e.g. an Interaction naming the grant.
 */
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest', 'PreAuthorizedCode']);

/** Tokens whose requests also need their grant, session and login order (token-context.ts). */
const TOKENS = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken']);

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

  /** Where the request scope keeps this model's entities found by uid (Sessions). */
  get #byUid(): string {
    return this.#model === 'Session' ? SESSION_BY_UID : `${this.#model}#uid`;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const uid = text(payload.uid);
    requestScope()?.forget(this.#model, id);
    if (uid) requestScope()?.forget(this.#byUid, uid);
    await entityWrites(this.#db).upsert(this.#model, id, {
      payload: serialise(payload),
      grant_id: GRANTABLE.has(this.#model) ? text(payload.grantId) : null,
      uid,
      user_code: text(payload.userCode),
      expiresIn,
    });
  }

  /** Each entity is read once per request (request-scope.ts); a token brings its grant, session and login order along. */
  async find(id: string): Promise<AdapterPayload | undefined> {
    const scope = requestScope();
    if (scope?.has(this.#model, id)) return scope.get(this.#model, id) ?? undefined;
    await entityWrites(this.#db).flush(); // the request's own writes first
    const found = scope && TOKENS.has(this.#model) && possibleKey(id)
      ? await findTokenWithContext(this.#db, this.#model, id, scope)
      : await this.#findWhere('id', id);
    // The provider changes what it is given: the scope keeps a copy.
    scope?.set(this.#model, id, found ? copyPayload(found) : null);
    return found;
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const scope = requestScope();
    if (scope?.has(this.#byUid, uid)) return scope.get(this.#byUid, uid) ?? undefined;
    await entityWrites(this.#db).flush();
    const found = await this.#findWhere('uid', uid);
    scope?.set(this.#byUid, uid, found ? copyPayload(found) : null);
    return found;
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    await entityWrites(this.#db).flush();
    return this.#findWhere('user_code', userCode);
  }

  async consume(id: string): Promise<void> {
    if (!possibleKey(id)) return;
    requestScope()?.forget(this.#model, id);
    await entityWrites(this.#db).consume(this.#model, id);
  }

  async destroy(id: string): Promise<void> {
    if (!possibleKey(id)) return;
    requestScope()?.set(this.#model, id, null);
    requestScope()?.forgetKind(this.#byUid);
    await entityWrites(this.#db).destroy(this.#model, id);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    if (!possibleKey(grantId)) return;
    requestScope()?.clear();
    await entityWrites(this.#db).flush();
    await this.#db.deleteFrom('oidc_payload').where('grant_id', '=', grantId).execute();
  }

  /** A value no stored key can equal (a NUL from a request, an overlong token) is simply not found. */
  async #findWhere(column: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
    if (!possibleKey(value)) return undefined;
    const row = await this.#db.selectFrom('oidc_payload')
      .select(['payload', 'consumed_at'])
      .where('model', '=', this.#model)
      .where(column, '=', value)
      .where(live('oidc_payload'))
      .executeTakeFirst();
    return row && payloadOf(row);
  }
}

class ClientAdapter implements Adapter {
  readonly #finder: ClientFinder | undefined;
  readonly #writer: ClientWriter | undefined;

  constructor(finder: ClientFinder | undefined, writer: ClientWriter | undefined) {
    this.#finder = finder;
    this.#writer = writer;
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return (await this.#finder?.(id)) as AdapterPayload | undefined;
  }

  upsert(id: string, payload: AdapterPayload): Promise<void> {
    return this.#writer ? this.#writer.save(id, payload as Record<string, unknown>) : Promise.reject(new ClientStoreReadOnlyError('save'));
  }

  destroy(id: string): Promise<void> {
    return this.#writer ? this.#writer.remove(id) : Promise.reject(new ClientStoreReadOnlyError('delete'));
  }

  consume(): Promise<void> { return Promise.reject(new ClientStoreReadOnlyError('consume')); }
  revokeByGrantId(): Promise<void> { return Promise.reject(new ClientStoreReadOnlyError('revoke')); }
  findByUid(): Promise<undefined> { return Promise.reject(new ClientStoreReadOnlyError('look up by uid')); }
  findByUserCode(): Promise<undefined> { return Promise.reject(new ClientStoreReadOnlyError('look up by user code')); }
}

/** The `adapter` option for oidc-provider: one adapter per model name, all on the same database. */
export function createOidcAdapterFactory(db: Db, options: OidcAdapterOptions = {}): AdapterFactory {
  return (name) => (name === 'Client' ? new ClientAdapter(options.clientFinder, options.clientWriter) : new PayloadAdapter(db, name));
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
