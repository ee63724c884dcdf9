/** Registered clients. Secrets are sealed at rest and unsealed only for oidc-provider's constant-time compare. */
import type { Db } from './database.ts';
import type { SecretBox } from './encryption.ts';

export type ClientMetadata = Record<string, unknown> & { client_id: string };

export interface StoredClient {
  metadata: ClientMetadata;
  createdAt: Date;
  updatedAt: Date;
}

export class ClientRepository {
  readonly #db: Db;
  readonly #box: SecretBox;
  readonly #cacheMs: number;
  readonly #cache = new Map<string, { at: number; value: ClientMetadata | undefined }>();

  constructor(db: Db, box: SecretBox, options: { cacheMs?: number } = {}) {
    this.#db = db;
    this.#box = box;
    this.#cacheMs = options.cacheMs ?? 5000;
  }

  /** Inserts or replaces a client. `metadata.client_secret`, if present, is sealed, never stored as is. */
  async save(metadata: ClientMetadata): Promise<void> {
    const { client_secret: secret, ...rest } = metadata;
    const sealed = typeof secret === 'string' ? this.#box.seal(secret) : null;
    await this.#db.insertInto('clients')
      .values({ client_id: metadata.client_id, sealed_secret: sealed, metadata: JSON.stringify(rest) })
      .onConflict((oc) => oc.column('client_id').doUpdateSet({ sealed_secret: sealed, metadata: JSON.stringify(rest), updated_at: new Date() }))
      .execute();
    this.#cache.delete(metadata.client_id);
  }

  /** Metadata with the plaintext secret, as the provider's Client model needs it. Cached briefly: the provider asks on every request. */
  async find(clientId: string): Promise<ClientMetadata | undefined> {
    const hit = this.#cache.get(clientId);
    if (hit && Date.now() - hit.at < this.#cacheMs) return hit.value;
    const row = await this.#db.selectFrom('clients').select(['metadata', 'sealed_secret']).where('client_id', '=', clientId).executeTakeFirst();
    const value = row ? this.#withSecret(row.metadata as ClientMetadata, row.sealed_secret) : undefined;
    this.#cache.set(clientId, { at: Date.now(), value });
    return value;
  }

  /** Every client without its secret. */
  async list(): Promise<StoredClient[]> {
    const rows = await this.#db.selectFrom('clients').select(['metadata', 'created_at', 'updated_at']).orderBy('created_at').execute();
    return rows.map((r) => ({ metadata: r.metadata as ClientMetadata, createdAt: r.created_at, updatedAt: r.updated_at }));
  }

  async remove(clientId: string): Promise<boolean> {
    const result = await this.#db.deleteFrom('clients').where('client_id', '=', clientId).executeTakeFirst();
    this.#cache.delete(clientId);
    return result.numDeletedRows > 0n;
  }

  #withSecret(metadata: ClientMetadata, sealed: string | null): ClientMetadata {
    return sealed ? { ...metadata, client_secret: this.#box.open(sealed) } : metadata;
  }
}
