/**
 * Relying-party certificates per tenant. The certificate is public and kept as PEM; the private key (and any
 * intermediates) are sealed with ENCRYPTION_KEY and leave this file only through `material()`, which the
 * BankID connections use, never a view. Activation is one statement, so every replica's next lookup sees
 * exactly one active certificate per tenant: the old one or the new one.
 */
import { sql } from 'kysely';
import { possibleKey, type Db } from './database.ts';
import type { SecretBox } from './encryption.ts';
import { CLIENT_CHANGES_CHANNEL } from './notifications.ts';
import type { BankIdEnvironmentName } from './tenants.ts';
import { unseal } from './unseal.ts';

export type CertificateState = 'staged' | 'active' | 'retired';

/** What may be shown: everything but the key. */
export interface StoredCertificate {
  fingerprint: string;
  tenantId: string;
  state: CertificateState;
  environment: BankIdEnvironmentName;
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  createdAt: Date;
  activatedAt?: Date;
  retiredAt?: Date;
}

export interface NewCertificate extends Omit<StoredCertificate, 'state' | 'createdAt' | 'activatedAt' | 'retiredAt'> {
  certPem: string;
  keyPem: string;
  chainPem: string[];
}

export interface CertificateMaterial {
  environment: BankIdEnvironmentName;
  certPem: string;
  keyPem: string;
  chainPem: string[];
}

const PUBLIC_COLUMNS = [
  'fingerprint', 'tenant_id', 'state', 'environment', 'subject', 'issuer', 'serial_number', 'not_before', 'not_after',
  'created_at', 'activated_at', 'retired_at',
] as const;

type PublicRow = {
  fingerprint: string; tenant_id: string; state: CertificateState; environment: BankIdEnvironmentName; subject: string; issuer: string;
  serial_number: string; not_before: Date; not_after: Date; created_at: Date; activated_at: Date | null; retired_at: Date | null;
};

function toStored(row: PublicRow): StoredCertificate {
  return {
    fingerprint: row.fingerprint, tenantId: row.tenant_id, state: row.state, environment: row.environment,
    subject: row.subject, issuer: row.issuer, serialNumber: row.serial_number, notBefore: row.not_before, notAfter: row.not_after,
    createdAt: row.created_at, activatedAt: row.activated_at ?? undefined, retiredAt: row.retired_at ?? undefined,
  };
}

export class RpCertificateRepository {
  readonly #db: Db;
  readonly #box: SecretBox;

  constructor(db: Db, box: SecretBox) {
    this.#db = db;
    this.#box = box;
  }

  /** The same repository working through `db` (a transaction). */
  within(db: Db): RpCertificateRepository {
    return new RpCertificateRepository(db, this.#box);
  }

  /** Stores a validated certificate as staged; false when that certificate is already stored (for any tenant). */
  async stage(certificate: NewCertificate): Promise<boolean> {
    const result = await this.#db.insertInto('rp_certificates').values({
      fingerprint: certificate.fingerprint,
      tenant_id: certificate.tenantId,
      state: 'staged',
      environment: certificate.environment,
      subject: certificate.subject,
      issuer: certificate.issuer,
      serial_number: certificate.serialNumber,
      not_before: certificate.notBefore,
      not_after: certificate.notAfter,
      cert_pem: certificate.certPem,
      sealed_key: this.#box.seal(JSON.stringify({ keyPem: certificate.keyPem, chainPem: certificate.chainPem })),
    }).onConflict((oc) => oc.column('fingerprint').doNothing()).executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  async find(fingerprint: string): Promise<StoredCertificate | undefined> {
    if (!possibleKey(fingerprint)) return undefined;
    const row = await this.#db.selectFrom('rp_certificates').select(PUBLIC_COLUMNS).where('fingerprint', '=', fingerprint).executeTakeFirst();
    return row ? toStored(row) : undefined;
  }

  /** A tenant's certificates (every tenant's without one), active first, then newest first. */
  async list(tenantId?: string): Promise<StoredCertificate[]> {
    let query = this.#db.selectFrom('rp_certificates').select(PUBLIC_COLUMNS);
    if (tenantId !== undefined) query = query.where('tenant_id', '=', tenantId);
    const rows = await query.orderBy('tenant_id').orderBy(sql`state = 'active'`, 'desc').orderBy('created_at', 'desc').execute();
    return rows.map(toStored);
  }

  /**
   * Makes `fingerprint` its tenant's active certificate and retires the one active before, in one statement.
   * Only a staged or retired certificate of that tenant is activated; returns the fingerprint retired (null if none),
   * or undefined when nothing changed. The same statement tells every replica (`tenant:<id>` on CLIENT_CHANGES_CHANNEL),
   * whose cached active certificate of the tenant goes at once; in a transaction, at its commit.
   */
  async activate(tenantId: string, fingerprint: string): Promise<{ retired: string | null } | undefined> {
    const rows = await sql<{ fingerprint: string }>`
      with changed as (
      update rp_certificates
         set state = case when fingerprint = ${fingerprint} then 'active' else 'retired' end,
             activated_at = case when fingerprint = ${fingerprint} then now() else activated_at end,
             retired_at = case when fingerprint = ${fingerprint} then null else now() end
       where tenant_id = ${tenantId}
         and (state = 'active' or fingerprint = ${fingerprint})
         and exists (select 1 from rp_certificates t where t.fingerprint = ${fingerprint} and t.tenant_id = ${tenantId} and t.state in ('staged', 'retired'))
      returning fingerprint, tenant_id)
      select fingerprint, pg_notify(${CLIENT_CHANGES_CHANNEL}, 'tenant:' || tenant_id) from changed`.execute(this.#db);
    if (!rows.rows.some((r) => r.fingerprint === fingerprint)) return undefined;
    return { retired: rows.rows.find((r) => r.fingerprint !== fingerprint)?.fingerprint ?? null };
  }

  /** The certificate most recently retired for a tenant: what a rollback re-activates. */
  async lastRetired(tenantId: string): Promise<StoredCertificate | undefined> {
    const row = await this.#db.selectFrom('rp_certificates').select(PUBLIC_COLUMNS)
      .where('tenant_id', '=', tenantId).where('state', '=', 'retired').orderBy('retired_at', 'desc').limit(1).executeTakeFirst();
    return row ? toStored(row) : undefined;
  }

  /** Deletes a staged or retired certificate; an active one stays (activate another, or roll back, first). */
  async remove(fingerprint: string): Promise<boolean> {
    const result = await this.#db.deleteFrom('rp_certificates').where('fingerprint', '=', fingerprint).where('state', '<>', 'active').executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** The fingerprint of the tenant's active certificate, if it has one. */
  async activeFingerprint(tenantId: string): Promise<string | undefined> {
    if (!possibleKey(tenantId)) return undefined;
    const row = await this.#db.selectFrom('rp_certificates').select('fingerprint')
      .where('tenant_id', '=', tenantId).where('state', '=', 'active').executeTakeFirst();
    return row?.fingerprint;
  }

  /** The certificate and its unsealed key, for the mutual-TLS connection only. */
  async material(fingerprint: string): Promise<CertificateMaterial | undefined> {
    if (!possibleKey(fingerprint)) return undefined;
    const row = await this.#db.selectFrom('rp_certificates').select(['environment', 'cert_pem', 'sealed_key']).where('fingerprint', '=', fingerprint).executeTakeFirst();
    if (!row) return undefined;
    const { keyPem, chainPem } = JSON.parse(unseal(this.#box, row.sealed_key, `the key of RP certificate ${fingerprint}`)) as { keyPem: string; chainPem: string[] };
    return { environment: row.environment, certPem: row.cert_pem, keyPem, chainPem };
  }
}
