/** Tenants: organisations with their own BankID agreement, and which tenant each client belongs to. */
import { sql } from 'kysely';
import { possibleKey, type Db } from './database.ts';
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
  createdAt: Date;
  updatedAt: Date;
}

export type NewTenant = Omit<TenantRecord, 'createdAt' | 'updatedAt'>;

/** The tenant created by migration 0010; clients without another belong to it. */
export const DEFAULT_TENANT = 'default';

type Row = {
  id: string; name_sv: string; name_en: string; organisation_number: string | null; contacts: Contact[];
  bankid_environment: BankIdEnvironmentName | null; policy: Record<string, unknown>; created_at: Date; updated_at: Date;
};

function toRecord(row: Row): TenantRecord {
  return {
    id: row.id,
    name: { sv: row.name_sv, en: row.name_en },
    organisationNumber: row.organisation_number ?? undefined,
    contacts: row.contacts,
    bankidEnvironment: row.bankid_environment ?? undefined,
    policy: row.policy,
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
  };
}

export class TenantRepository {
  readonly #db: Db;
  constructor(db: Db) { this.#db = db; }

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

  async find(id: string): Promise<TenantRecord | undefined> {
    if (!possibleKey(id)) return undefined;
    const row = await this.#db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRecord(row) : undefined;
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

  /** How many clients a tenant has (a tenant with clients is not removed). */
  async clientCount(tenantId: string): Promise<number> {
    const row = await this.#db.selectFrom('clients').select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
