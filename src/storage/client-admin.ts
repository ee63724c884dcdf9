/**
 * The clients table as the admin API sees it: by tenant, paged, written inside the caller's transaction (each
 * method takes the executor, so a change and its audit row commit together). Secrets are sealed here and never
 * returned, except the previous one to the provider's secret compare.
 */
import { sql } from 'kysely';
import { likePattern, possibleKey, type Db } from './database.ts';
import type { SecretBox } from './encryption.ts';
import { CLIENT_CHANGES_CHANNEL } from './notifications.ts';

export interface AdminClientRow {
  clientId: string;
  tenantId: string;
  /** Standard metadata plus Brygga settings, without any secret. */
  metadata: Record<string, unknown>;
  hasSecret: boolean;
  /** Until when the secret before the last rotation is still accepted; null when there is none. */
  previousSecretExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ClientListQuery {
  /** Only these tenants' clients (a tenant admin); undefined for every tenant. */
  tenants?: readonly string[];
  tenantId?: string;
  /** Part of the client id or name, any case. */
  search?: string;
  /** Keyset paging: clients after this id, in id order. */
  after?: string;
  limit: number;
}

const COLUMNS = ['client_id', 'tenant_id', 'metadata', 'created_at', 'updated_at', 'previous_secret_expires_at'] as const;

export class ClientAdminStore {
  readonly #box: SecretBox;
  constructor(box: SecretBox) { this.#box = box; }

  /** One client, if it exists within `tenants`; `lock` holds the row until the transaction ends. */
  async get(db: Db, clientId: string, tenants?: readonly string[], lock = false): Promise<AdminClientRow | undefined> {
    if (!possibleKey(clientId) || tenants?.length === 0) return undefined;
    let query = db.selectFrom('clients').select(COLUMNS).select((eb) => eb('sealed_secret', 'is not', null).as('has_secret')).where('client_id', '=', clientId);
    if (tenants) query = query.where('tenant_id', 'in', tenants);
    if (lock) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    return row && toRow(row);
  }

  /** Up to `limit` clients in id order. */
  async list(db: Db, q: ClientListQuery): Promise<AdminClientRow[]> {
    if (q.tenants?.length === 0) return [];
    let query = db.selectFrom('clients').select(COLUMNS).select((eb) => eb('sealed_secret', 'is not', null).as('has_secret'))
      .orderBy('client_id').limit(q.limit);
    if (q.tenants) query = query.where('tenant_id', 'in', q.tenants);
    if (q.tenantId) query = query.where('tenant_id', '=', q.tenantId);
    if (q.after) query = query.where('client_id', '>', q.after);
    if (q.search) {
      const pattern = likePattern(q.search);
      query = query.where((eb) => eb.or([eb('client_id', 'ilike', pattern), eb(sql<string>`metadata->>'client_name'`, 'ilike', pattern)]));
    }
    return (await query.execute()).map(toRow);
  }

  /** Inserts a new client; false when the id is taken. */
  async insert(db: Db, clientId: string, tenantId: string, metadata: Record<string, unknown>, secret: string | undefined): Promise<boolean> {
    const result = await db.insertInto('clients')
      .values({ client_id: clientId, tenant_id: tenantId, metadata: JSON.stringify(metadata), sealed_secret: secret === undefined ? null : this.#box.seal(secret) })
      .onConflict((oc) => oc.column('client_id').doNothing())
      .executeTakeFirst();
    const inserted = Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
    // Another replica may hold the id as a miss.
    if (inserted) await notifyChange(db, clientId);
    return inserted;
  }

  /** Replaces the metadata; `secret` undefined keeps the secret, null removes it (and any previous one). */
  async update(db: Db, clientId: string, metadata: Record<string, unknown>, secret: string | null | undefined): Promise<void> {
    await notifyChange(db, clientId);
    await db.updateTable('clients')
      .set({
        metadata: JSON.stringify(metadata),
        updated_at: sql<Date>`now()`,
        ...(secret === undefined ? {} : { sealed_secret: secret === null ? null : this.#box.seal(secret), sealed_previous_secret: null, previous_secret_expires_at: null }),
      })
      .where('client_id', '=', clientId)
      .execute();
  }

  async remove(db: Db, clientId: string): Promise<void> {
    await notifyChange(db, clientId);
    await db.deleteFrom('clients').where('client_id', '=', clientId).execute();
  }

  /** A new secret; the current one stays accepted for `graceSeconds` (by the database clock). Returns until when. */
  async rotateSecret(db: Db, clientId: string, secret: string, graceSeconds: number): Promise<Date> {
    await notifyChange(db, clientId);
    const row = await db.updateTable('clients')
      .set({
        sealed_previous_secret: sql<string | null>`sealed_secret`,
        previous_secret_expires_at: sql<Date>`now() + make_interval(secs => ${graceSeconds})`,
        sealed_secret: this.#box.seal(secret),
        updated_at: sql<Date>`now()`,
      })
      .where('client_id', '=', clientId)
      .returning('previous_secret_expires_at')
      .executeTakeFirstOrThrow();
    return row.previous_secret_expires_at!;
  }

  /** The secret before the last rotation, while its grace period lasts. */
  async previousSecret(db: Db, clientId: string): Promise<string | undefined> {
    if (!possibleKey(clientId)) return undefined;
    const row = await db.selectFrom('clients').select('sealed_previous_secret')
      .where('client_id', '=', clientId)
      .where('previous_secret_expires_at', '>', sql<Date>`now()`)
      .executeTakeFirst();
    return row?.sealed_previous_secret ? this.#box.open(row.sealed_previous_secret) : undefined;
  }
}

/**
 * Tells every replica to drop its cached lookup of the client. Changes run in a transaction with their audit row, so
 * the notification is delivered at commit, or never when the change is undone.
 */
async function notifyChange(db: Db, clientId: string): Promise<void> {
  await sql`select pg_notify(${CLIENT_CHANGES_CHANNEL}, ${`client:${clientId}`})`.execute(db);
}

function toRow(row: { client_id: string; tenant_id: string; metadata: Record<string, unknown>; created_at: Date; updated_at: Date; previous_secret_expires_at: Date | null; has_secret: unknown }): AdminClientRow {
  return {
    clientId: row.client_id,
    tenantId: row.tenant_id,
    metadata: row.metadata,
    hasSecret: row.has_secret === true,
    previousSecretExpiresAt: row.previous_secret_expires_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
