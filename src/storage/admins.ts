/**
 * The console's admins. A person is found by the keyed hash of their personal number (HMAC-SHA256 under a key
 * derived from SUBJECT_SECRET): the number itself is never stored, and nothing here returns the hash. Methods take
 * the executor, so a change and its audit row commit together.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { likePattern, possibleKey, type Db } from './database.ts';

/** The purpose the personal-number key is derived for (config/secrets.ts `derivedKey`): the same in server and CLI. */
export const ADMIN_PERSONAL_NUMBER_KEY = 'admin-personal-number';

export const ADMIN_ROLES = ['broker_admin', 'tenant_admin', 'tenant_auditor'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

export interface AdminRecord {
  id: string;
  displayName: string;
  role: AdminRole;
  /** Null for a broker admin. */
  tenantId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface AdminFields {
  displayName: string;
  role: AdminRole;
  tenantId: string | null;
}

export interface AdminListQuery {
  /** Only these tenants' admins (never a broker admin); undefined for all. */
  tenants?: readonly string[];
  tenantId?: string;
  role?: AdminRole;
  /** Part of the display name, any case. */
  search?: string;
  /** Keyset paging: admins after this id, in id order. */
  after?: string;
  limit: number;
}

const COLUMNS = ['id', 'display_name', 'role', 'tenant_id', 'created_at', 'updated_at'] as const;

type Row = { id: string; display_name: string; role: AdminRole; tenant_id: string | null; created_at: Date; updated_at: Date };
const toRecord = (r: Row): AdminRecord => ({ id: r.id, displayName: r.display_name, role: r.role, tenantId: r.tenant_id, createdAt: r.created_at, updatedAt: r.updated_at });

export class AdminStore {
  readonly #key: Buffer;
  constructor(personalNumberKey: Buffer) { this.#key = personalNumberKey; }

  #hash(personalNumber: string): string {
    return createHmac('sha256', this.#key).update(personalNumber).digest('base64url');
  }

  /** A new admin; undefined when the person already holds a role in that tenant (or as broker admin). */
  async insert(db: Db, personalNumber: string, fields: AdminFields): Promise<AdminRecord | undefined> {
    const row = await db.insertInto('admins')
      .values({ id: randomBytes(12).toString('base64url'), personal_number_hash: this.#hash(personalNumber), display_name: fields.displayName, role: fields.role, tenant_id: fields.tenantId })
      .onConflict((oc) => oc.doNothing())
      .returning(COLUMNS)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  /** One admin, if it exists within `tenants`; `lock` holds the row until the transaction ends. */
  async get(db: Db, id: string, tenants?: readonly string[], lock = false): Promise<AdminRecord | undefined> {
    if (!possibleKey(id) || tenants?.length === 0) return undefined;
    let query = db.selectFrom('admins').select(COLUMNS).where('id', '=', id);
    if (tenants) query = query.where('tenant_id', 'in', tenants);
    if (lock) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    return row && toRecord(row);
  }

  async list(db: Db, q: AdminListQuery): Promise<AdminRecord[]> {
    if (q.tenants?.length === 0) return [];
    let query = db.selectFrom('admins').select(COLUMNS).orderBy('id').limit(q.limit);
    if (q.tenants) query = query.where('tenant_id', 'in', q.tenants);
    if (q.tenantId) query = query.where('tenant_id', '=', q.tenantId);
    if (q.role) query = query.where('role', '=', q.role);
    if (q.after) query = query.where('id', '>', q.after);
    if (q.search) query = query.where('display_name', 'ilike', likePattern(q.search));
    return (await query.execute()).map(toRecord);
  }

  /** Replaces name, role and tenant; false when the person already holds a role in the new tenant. */
  async update(db: Db, id: string, fields: AdminFields): Promise<boolean> {
    const result = await sql<{ id: string }>`
      update admins set display_name = ${fields.displayName}, role = ${fields.role}, tenant_id = ${fields.tenantId}, updated_at = now()
       where id = ${id}
         and not exists (select 1 from admins o where o.id <> ${id} and o.personal_number_hash = admins.personal_number_hash and o.tenant_id is not distinct from ${fields.tenantId})
      returning id`.execute(db);
    return result.rows.length === 1;
  }

  async remove(db: Db, id: string): Promise<void> {
    await db.deleteFrom('admins').where('id', '=', id).execute();
  }

  /** Every role the person holds (the console signs them in with BankID and looks them up here). */
  async findByPersonalNumber(db: Db, personalNumber: string): Promise<AdminRecord[]> {
    const rows = await db.selectFrom('admins').select(COLUMNS).where('personal_number_hash', '=', this.#hash(personalNumber)).orderBy('id').execute();
    return rows.map(toRecord);
  }
}
