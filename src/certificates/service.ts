/**
 * A tenant's RP certificates through their life: upload (checked, see upload.ts) → staged → active → retired (kept
 * for rollback) → removed. What leaves this service is a CertificateView: never the key.
 */
import type { BankIdEnvironment } from '../bankid/environments.ts';
import { BrokerError } from '../errors/catalogue.ts';
import type { Db } from '../storage/database.ts';
import type { NewCertificate, RpCertificateRepository, StoredCertificate } from '../storage/rp-certificates.ts';
import type { TenantRepository } from '../storage/tenants.ts';
import { CertificateRejectedError } from './errors.ts';
import { daysLeft, expiryLevel, type ExpiryLevel } from './expiry.ts';
import { checkUpload, type UploadChecks } from './upload.ts';

export interface CertificateView {
  fingerprint: string;
  tenantId: string;
  state: StoredCertificate['state'];
  environment: BankIdEnvironment;
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  daysLeft: number;
  /** The expiry threshold it is within (60, 30, 14, 7 days) or `expired`; absent when it has time. */
  expiry?: ExpiryLevel;
  createdAt: string;
  activatedAt?: string;
  retiredAt?: string;
}

/** An uploaded PKCS#12 for a tenant. */
export interface Upload { tenantId: string; pkcs12: Buffer; passphrase: string }

export interface CertificateServiceOptions extends Omit<UploadChecks, 'now'> {
  certificates: RpCertificateRepository;
  tenants: TenantRepository;
  /** BANKID_ENV: the environment of a tenant that names none (the default tenant). */
  defaultEnvironment: BankIdEnvironment;
  /** A certificate stopped being active or was removed: close its connections in this process. */
  onRetired?: (fingerprint: string) => void;
  /** A tenant's active certificate changed: this process's next order of the tenant uses the new one (others are notified). */
  onActivated?: (tenantId: string) => void;
  now?: () => Date;
}

export class CertificateService {
  readonly #o: CertificateServiceOptions;
  readonly #now: () => Date;

  constructor(options: CertificateServiceOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => new Date());
  }

  view(stored: StoredCertificate): CertificateView {
    const now = this.#now();
    return {
      fingerprint: stored.fingerprint,
      tenantId: stored.tenantId,
      state: stored.state,
      environment: stored.environment,
      subject: stored.subject,
      issuer: stored.issuer,
      serialNumber: stored.serialNumber,
      notBefore: stored.notBefore.toISOString(),
      notAfter: stored.notAfter.toISOString(),
      daysLeft: daysLeft(stored.notAfter, now),
      expiry: expiryLevel(stored.notAfter, now),
      createdAt: stored.createdAt.toISOString(),
      activatedAt: stored.activatedAt?.toISOString(),
      retiredAt: stored.retiredAt?.toISOString(),
    };
  }

  /** This service working through `db` (a transaction: the admin API writes a change and its audit row together). */
  within(db: Db): CertificateService {
    return new CertificateService({ ...this.#o, certificates: this.#o.certificates.within(db), tenants: this.#o.tenants.within(db), now: this.#now });
  }

  /** Checks an uploaded PKCS#12 (with a live call to BankID) and stores it as staged. */
  async add(input: Upload): Promise<CertificateView> {
    return this.stage(await this.check(input));
  }

  /** The checks of an upload, with the live call to BankID: what `stage` then stores (kept apart, so no transaction waits on BankID). */
  async check(input: Upload): Promise<NewCertificate> {
    const tenant = await this.#o.tenants.find(input.tenantId);
    if (!tenant) throw new BrokerError('tenant_unknown', `no tenant ${input.tenantId}`);
    const environment = tenant.bankidEnvironment ?? this.#o.defaultEnvironment;
    const certificate = await checkUpload({ pkcs12: input.pkcs12, passphrase: input.passphrase, environment }, { ...this.#o, now: this.#now() });
    return {
      fingerprint: certificate.fingerprint,
      tenantId: tenant.id,
      environment,
      subject: certificate.subject,
      issuer: certificate.issuer,
      serialNumber: certificate.serialNumber,
      notBefore: certificate.notBefore,
      notAfter: certificate.notAfter,
      certPem: certificate.certPem,
      keyPem: certificate.keyPem,
      chainPem: certificate.chainPem,
    };
  }

  /** Stores a checked certificate as staged. */
  async stage(certificate: NewCertificate): Promise<CertificateView> {
    if (!(await this.#o.certificates.stage(certificate))) {
      const holder = await this.#o.certificates.find(certificate.fingerprint);
      throw new CertificateRejectedError('already-stored', `This certificate is already stored (tenant ${holder?.tenantId}, ${holder?.state}).`);
    }
    return this.show(certificate.fingerprint);
  }

  async list(tenantId?: string): Promise<CertificateView[]> {
    if (tenantId !== undefined && !(await this.#o.tenants.find(tenantId))) throw new BrokerError('tenant_unknown', `no tenant ${tenantId}`);
    return (await this.#o.certificates.list(tenantId)).map((c) => this.view(c));
  }

  async show(fingerprint: string): Promise<CertificateView> {
    return this.view(await this.#find(fingerprint));
  }

  /** Makes a staged (or retired) certificate its tenant's active one, for every replica at once. */
  async activate(fingerprint: string): Promise<CertificateView> {
    const stored = await this.#find(fingerprint);
    if (stored.state === 'active') throw new BrokerError('certificate_state', `certificate ${fingerprint} is already active`);
    if (stored.notAfter <= this.#now()) throw new BrokerError('certificate_state', `certificate ${fingerprint} expired on ${stored.notAfter.toISOString()}`);
    const done = await this.#o.certificates.activate(stored.tenantId, stored.fingerprint);
    if (!done) throw new BrokerError('certificate_state', `certificate ${fingerprint} changed meanwhile; look again`);
    this.#o.onActivated?.(stored.tenantId);
    if (done.retired) this.#o.onRetired?.(done.retired);
    return this.show(stored.fingerprint);
  }

  /** Re-activates the tenant's most recently retired certificate. */
  async rollback(tenantId: string): Promise<CertificateView> {
    if (!(await this.#o.tenants.find(tenantId))) throw new BrokerError('tenant_unknown', `no tenant ${tenantId}`);
    const previous = await this.#o.certificates.lastRetired(tenantId);
    if (!previous) throw new BrokerError('certificate_state', `tenant ${tenantId} has no retired certificate to go back to`);
    return this.activate(previous.fingerprint);
  }

  /** Deletes a staged or retired certificate with its key. The active one is replaced first, never removed. */
  async remove(fingerprint: string): Promise<void> {
    const stored = await this.#find(fingerprint);
    if (stored.state === 'active') throw new BrokerError('certificate_state', `certificate ${fingerprint} is active: activate another one first`);
    if (!(await this.#o.certificates.remove(stored.fingerprint))) throw new BrokerError('certificate_state', `certificate ${fingerprint} changed meanwhile; look again`);
    this.#o.onRetired?.(stored.fingerprint);
  }

  async #find(fingerprint: string): Promise<StoredCertificate> {
    const stored = await this.#o.certificates.find(normalize(fingerprint));
    if (!stored) throw new BrokerError('certificate_unknown', `no certificate ${fingerprint}`);
    return stored;
  }
}

/** Fingerprints are often written with colons and in upper case. */
function normalize(fingerprint: string): string {
  return fingerprint.replaceAll(':', '').toLowerCase();
}
