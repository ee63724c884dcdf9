/** Registered clients. Secrets are sealed at rest and unsealed only for oidc-provider's constant-time compare. */
import { Lru } from '../cache/lru.ts';
import { MAX_KEY_LENGTH, possibleKey, type Db } from './database.ts';
import type { SecretBox } from './encryption.ts';

export type ClientMetadata = Record<string, unknown> & { client_id: string };

/** A client with its tenant, as a login needs it: read in one statement, cached together. */
export interface LoadedClient {
  metadata: ClientMetadata;
  tenantId: string;
  /** The tenant's policy as stored (the tenant service validated it). */
  tenantPolicy: Record<string, unknown>;
}

export interface StoredClient {
  metadata: ClientMetadata;
  createdAt: Date;
  updatedAt: Date;
}

interface Cached<T> { at: number; value: T }

export interface ClientCacheOptions {
  /**
   * How long a lookup is reused (the provider asks on every request). Changes notified on CLIENT_CHANGES_CHANNEL
   * (a tenant's policy) drop it at once; other changes made on another replica show after this.
   */
  cacheMs?: number;
  /** Clients kept. */
  maxClients?: number;
  /** Unknown ids kept, apart: random ids must not push real clients out, nor grow the heap. */
  maxMisses?: number;
}

export class ClientRepository {
  readonly #db: Db;
  readonly #box: SecretBox;
  readonly #cacheMs: number;
  readonly #hits: Lru<Cached<LoadedClient>>;
  readonly #misses: Lru<Cached<undefined>>;

  constructor(db: Db, box: SecretBox, options: ClientCacheOptions = {}) {
    this.#db = db;
    this.#box = box;
    this.#cacheMs = options.cacheMs ?? 5000;
    this.#hits = new Lru(options.maxClients ?? 500);
    this.#misses = new Lru(options.maxMisses ?? 100);
  }

  /** Entries in the lookup cache, found and unknown (for tests and diagnostics). */
  get cacheSize(): number {
    return this.#hits.size + this.#misses.size;
  }

  /** Whether a lookup of this client is cached, fresh or not (for tests and diagnostics). */
  cached(clientId: string): boolean {
    return this.#hits.get(clientId) !== undefined;
  }

  /**
   * Inserts or replaces a client. `metadata.client_secret`, if present, is sealed, never stored as is. Without a
   * tenant a new client belongs to the default tenant and an existing one keeps its own (the caller has checked the
   * metadata against that tenant's policy: TenantService.checkClient).
   */
  async save(metadata: ClientMetadata, tenantId?: string): Promise<void> {
    if (!possibleKey(metadata.client_id)) throw new Error(`client_id must be 1 to ${MAX_KEY_LENGTH} characters, without U+0000 or unpaired surrogates`);
    const { client_secret: secret, ...rest } = metadata;
    const sealed = typeof secret === 'string' ? this.#box.seal(secret) : null;
    const tenant = tenantId === undefined ? {} : { tenant_id: tenantId };
    await this.#db.insertInto('clients')
      .values({ client_id: metadata.client_id, sealed_secret: sealed, metadata: JSON.stringify(rest), ...tenant })
      .onConflict((oc) => oc.column('client_id').doUpdateSet({ sealed_secret: sealed, metadata: JSON.stringify(rest), updated_at: new Date(), ...tenant }))
      .execute();
    this.forget(metadata.client_id);
  }

  /** Metadata with the plaintext secret, as the provider's Client model needs it. */
  async find(clientId: string): Promise<ClientMetadata | undefined> {
    return (await this.findWithTenant(clientId))?.metadata;
  }

  /** The client with its tenant's policy, in one statement. Cached briefly: the provider asks on every request. */
  async findWithTenant(clientId: string): Promise<LoadedClient | undefined> {
    if (!possibleKey(clientId)) return undefined; // e.g. a NUL from a request: Postgres would refuse the query
    const cached = this.#hits.get(clientId) ?? this.#misses.get(clientId);
    if (cached && Date.now() - cached.at < this.#cacheMs) return cached.value;
    const row = await this.#db.selectFrom('clients').innerJoin('tenants', 'tenants.id', 'clients.tenant_id')
      .select(['clients.metadata', 'clients.sealed_secret', 'clients.tenant_id', 'tenants.policy'])
      .where('client_id', '=', clientId).executeTakeFirst();
    if (!row) {
      this.#hits.delete(clientId);
      this.#misses.set(clientId, { at: Date.now(), value: undefined });
      return undefined;
    }
    const value = { metadata: this.#withSecret(row.metadata as ClientMetadata, row.sealed_secret), tenantId: row.tenant_id, tenantPolicy: row.policy };
    this.#misses.delete(clientId);
    this.#hits.set(clientId, { at: Date.now(), value });
    return value;
  }

  /** Every client without its secret. */
  async list(): Promise<StoredClient[]> {
    const rows = await this.#db.selectFrom('clients').select(['metadata', 'created_at', 'updated_at']).orderBy('created_at').execute();
    return rows.map((r) => ({ metadata: r.metadata as ClientMetadata, createdAt: r.created_at, updatedAt: r.updated_at }));
  }

  async remove(clientId: string): Promise<boolean> {
    if (!possibleKey(clientId)) return false;
    const result = await this.#db.deleteFrom('clients').where('client_id', '=', clientId).executeTakeFirst();
    this.forget(clientId);
    return result.numDeletedRows > 0n;
  }

  /** Drops a cached lookup: the client changed (other replicas see the change within `cacheMs`). */
  forget(clientId: string): void {
    this.#hits.delete(clientId);
    this.#misses.delete(clientId);
  }

  /** A notification on CLIENT_CHANGES_CHANNEL: drops what it names. */
  changed(payload: string): void {
    const [kind, id] = [payload.slice(0, payload.indexOf(':')), payload.slice(payload.indexOf(':') + 1)];
    if (kind === 'tenant') this.#hits.deleteWhere((entry) => entry.value.tenantId === id);
    else if (kind === 'client') this.forget(id);
  }

  /** Drops every cached lookup (notifications may have been missed while the listening connection was down). */
  forgetAll(): void {
    this.#hits.clear();
    this.#misses.clear();
  }

  #withSecret(metadata: ClientMetadata, sealed: string | null): ClientMetadata {
    return sealed ? { ...metadata, client_secret: this.#box.open(sealed) } : metadata;
  }
}
