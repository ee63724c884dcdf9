/** Tenants: organisations with their own BankID agreement, and which tenant each client belongs to. */
import { sql } from 'kysely';
import { likePattern, possibleKey, type Db } from './database.ts';
import { CLIENT_CHANGES_CHANNEL } from './notifications.ts';

export type BankIdEnvironmentName = 'production' | 'test' | 'simulator';

export interface Contact { name?: string; email?: string; phone?: string }

export interface TenantRecord {
  id: string;
  name: { sv: string; en: string };
  organisationNumber?: string;
  contacts: Contact[];
  /** Undefined for the default tenant: it follows BANKID_ENV. */
  bankidEnvironment?: BankIdEnvironmentName;
  /** Validated by the tenant service before it is stored. */
  policy: Record<string, unknown>;
  /** The time zone of its usage reports (an IANA name). */
  timeZone: string;
  /** Operations whose completed orders its contract bills (`auth`, `sign`, …). */
  billableOperations: string[];
  createdAt: Date;
  updatedAt: Date;
}

export type NewTenant = Omit<TenantRecord, 'createdAt' | 'updatedAt'>;

export interface TenantPageQuery {
  /** Only these tenants (a tenant admin); undefined for all. */
  tenants?: readonly string[];
  /** Part of the id or a name, any case. */
  search?: string;
  /** Keyset paging: tenants after this id, in id order. */
  after?: string;
  limit: number;
}


/** The tenant created by migration 0010; clients without another belong to it. */
export const DEFAULT_TENANT = 'default';

type Row = {
  id: string; name_sv: string; name_en: string; organisation_number: string | null; contacts: Contact[];
  bankid_environment: BankIdEnvironmentName | null; policy: Record<string, unknown>; time_zone: string; billable_operations: string[];
  created_at: Date; updated_at: Date;
};

function toRecord(row: Row): TenantRecord {
  return {
    id: row.id,
    name: { sv: row.name_sv, en: row.name_en },
    organisationNumber: row.organisation_number ?? undefined,
    contacts: row.contacts,
    bankidEnvironment: row.bankid_environment ?? undefined,
    policy: row.policy,
    timeZone: row.time_zone,
    billableOperations: row.billable_operations,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function columns(tenant: NewTenant) {
  return {
    name_sv: tenant.name.sv,
    name_en: tenant.name.en,
    organisation_number: tenant.organisationNumber ?? null,
    contacts: JSON.stringify(tenant.contacts),
    bankid_environment: tenant.bankidEnvironment ?? null,
    policy: JSON.stringify(tenant.policy),
    time_zone: tenant.timeZone,
    billable_operations: tenant.billableOperations,
  };
}

export class TenantRepository {
  readonly #db: Db;
  constructor(db: Db) { this.#db = db; }

  /** The same repository working through `db` (a transaction). */
  within(db: Db): TenantRepository {
    return new TenantRepository(db);
  }

  /** Inserts a tenant; false when the id or organisation number is taken. */
  async insert(tenant: NewTenant): Promise<boolean> {
    const result = await this.#db.insertInto('tenants').values({ id: tenant.id, ...columns(tenant) })
      .onConflict((oc) => oc.doNothing()).executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  /**
   * Replaces a tenant's fields; false when there is no such tenant. Every replica is told in the same statement, so
   * its cached clients of the tenant, which carry the policy (storage/clients.ts), go at once.
   */
  async update(tenant: NewTenant): Promise<boolean> {
    const rows = await this.#db
      .with('changed', (db) => db.updateTable('tenants').set({ ...columns(tenant), updated_at: new Date() }).where('id', '=', tenant.id).returning('id'))
      .selectFrom('changed').select(sql<string>`pg_notify(${CLIENT_CHANGES_CHANNEL}, 'tenant:' || changed.id)`.as('notified'))
      .execute();
    return rows.length > 0;
  }

  /** A tenant; `lock` holds its row until the transaction ends. */
  async find(id: string, lock = false): Promise<TenantRecord | undefined> {
    if (!possibleKey(id)) return undefined;
    let query = this.#db.selectFrom('tenants').selectAll().where('id', '=', id);
    if (lock) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  /** Up to `limit` tenants in id order. */
  async page(q: TenantPageQuery): Promise<TenantRecord[]> {
    if (q.tenants?.length === 0) return [];
    let query = this.#db.selectFrom('tenants').selectAll().orderBy('id').limit(q.limit);
    if (q.tenants) query = query.where('id', 'in', q.tenants);
    if (q.after) query = query.where('id', '>', q.after);
    if (q.search) {
      const pattern = likePattern(q.search);
      query = query.where((eb) => eb.or([eb('id', 'ilike', pattern), eb('name_sv', 'ilike', pattern), eb('name_en', 'ilike', pattern)]));
    }
    return (await query.execute()).map(toRecord);
  }

  /** What keeps a tenant from being removed: its clients, and an active certificate. */
  async holdings(id: string): Promise<{ clients: number; activeCertificate: boolean }> {
    const row = await this.#db.selectNoFrom((eb) => [
      eb.selectFrom('clients').select((c) => c.fn.countAll<string>().as('n')).where('tenant_id', '=', id).as('clients'),
      eb.exists(eb.selectFrom('rp_certificates').select('fingerprint').where('tenant_id', '=', id).where('state', '=', 'active')).as('active'),
    ]).executeTakeFirstOrThrow();
    return { clients: Number(row.clients), activeCertificate: row.active === true };
  }

  /** Removes a tenant with its staged and retired certificates (keys included) and its admins. */
  async remove(id: string): Promise<void> {
    await this.#db.deleteFrom('rp_certificates').where('tenant_id', '=', id).where('state', '<>', 'active').execute();
    await this.#db.deleteFrom('tenants').where('id', '=', id).execute();
  }

  /** Whether the database knows a time zone by this name (its reports bucket in it). */
  async knowsTimeZone(name: string): Promise<boolean> {
    const row = await this.#db.selectNoFrom((eb) => eb.exists(sql`(select 1 from pg_timezone_names where name = ${name})`).as('known')).executeTakeFirstOrThrow();
    return row.known === true;
  }

  async findByOrganisationNumber(organisationNumber: string): Promise<TenantRecord | undefined> {
    const row = await this.#db.selectFrom('tenants').selectAll().where('organisation_number', '=', organisationNumber).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  async list(): Promise<TenantRecord[]> {
    const rows = await this.#db.selectFrom('tenants').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(toRecord);
  }

  /** The tenant of a client; undefined for an unknown client. */
  async tenantOfClient(clientId: string): Promise<string | undefined> {
    if (!possibleKey(clientId)) return undefined;
    const row = await this.#db.selectFrom('clients').select('tenant_id').where('client_id', '=', clientId).executeTakeFirst();
    return row?.tenant_id;
  }

  /** Moves a client to a tenant (the caller has checked the client's settings against that tenant's policy); replicas are told. */
  async assignClient(clientId: string, tenantId: string): Promise<boolean> {
    const rows = await this.#db
      .with('changed', (db) => db.updateTable('clients').set({ tenant_id: tenantId, updated_at: new Date() }).where('client_id', '=', clientId).returning('client_id'))
      .selectFrom('changed').select(sql<string>`pg_notify(${CLIENT_CHANGES_CHANNEL}, 'client:' || changed.client_id)`.as('notified'))
      .execute();
    return rows.length > 0;
  }
}
