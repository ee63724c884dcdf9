/**
 * The BankID API per RP certificate: one BankIdClient, and through it one pooled mTLS agent, per certificate,
 * created on first use. A new order uses its client's tenant's active certificate. Which one that is is kept per
 * tenant until an activation says otherwise: the activating statement notifies every replica (`changed`, also after
 * an activation by the CLI), and this process drops it at once (`tenantChanged`), so the next order uses the new one
 * without a restart. The default tenant without an active certificate of its own uses the one from the settings.
 * Collect and cancel use the certificate the order was started with, retired or replaced since or not.
 */
import { loadRpCertificate, type RpCertificate } from '../bankid/certificate.ts';
import { BankIdClient, type BankIdClientOptions } from '../bankid/client.ts';
import type { BankIdEnvironment } from '../bankid/environments.ts';
import { releaseAgent } from '../bankid/transport.ts';
import type { BankIdApi } from '../bankid/types.ts';
import { BrokerError } from '../errors/catalogue.ts';
import type { BankIdConnections } from '../orders/connections.ts';
import type { RpCertificateRepository } from '../storage/rp-certificates.ts';
import { DEFAULT_TENANT } from '../storage/tenants.ts';

/** Where each BankID environment the broker can reach answers, and the root CA pinned for it. */
export type Endpoints = Partial<Record<BankIdEnvironment, { baseUrl: string; caPem: string }>>;

export interface ConnectionOptions {
  certificates: RpCertificateRepository;
  /** The tenant of a client (the default tenant for one not stored), from the client lookup a login has already made. */
  tenantOf: (clientId: string) => Promise<string>;
  endpoints: Endpoints;
  /** BANKID_ENV: the environment of the settings' certificate and of tenants that name none. */
  defaultEnvironment: BankIdEnvironment;
  /** The default tenant's certificate from the settings, as it is now (it is reloaded when its file changes). */
  settingsCertificate: () => RpCertificate | undefined;
  client: Omit<BankIdClientOptions, 'baseUrl' | 'certificate' | 'caPem'>;
  /** A certificate unused this long has its connections closed (they reopen on use). Default 10 minutes. */
  idleMs?: number;
  now?: () => number;
}

interface Connection {
  api: BankIdClient;
  certificate: RpCertificate;
  usedAt: number;
}

export class CertificateConnections implements BankIdConnections {
  readonly #o: ConnectionOptions;
  readonly #idleMs: number;
  readonly #now: () => number;
  readonly #connections = new Map<string, Promise<Connection>>();
  /** Each tenant's active certificate (undefined: none), by tenant; a lookup in flight is shared. */
  readonly #active = new Map<string, Promise<string | undefined>>();

  constructor(options: ConnectionOptions) {
    this.#o = options;
    this.#idleMs = options.idleMs ?? 10 * 60_000;
    this.#now = options.now ?? Date.now;
  }

  async forClient(clientId: string): Promise<{ api: BankIdApi; rpCertificate: string }> {
    const tenantId = await this.#o.tenantOf(clientId);
    const fingerprint = await this.#activeOf(tenantId);
    if (fingerprint) return { api: (await this.#connection(fingerprint)).api, rpCertificate: fingerprint };
    const fromSettings = tenantId === DEFAULT_TENANT ? this.#o.settingsCertificate() : undefined;
    if (!fromSettings) throw new BrokerError('no_rp_certificate', `tenant ${tenantId} has no active BankID certificate`);
    return { api: (await this.#connection(fromSettings.fingerprint)).api, rpCertificate: fromSettings.fingerprint };
  }

  async forCertificate(fingerprint: string): Promise<BankIdApi> {
    return (await this.#connection(fingerprint)).api;
  }

  /** The tenant's active certificate changed (in this process): its next order looks it up again. */
  tenantChanged(tenantId: string): void {
    this.#active.delete(tenantId);
  }

  /** A notification on CLIENT_CHANGES_CHANNEL: a tenant's (`tenant:<id>`) next order looks its certificate up again. */
  changed(payload: string): void {
    if (payload.startsWith('tenant:')) this.tenantChanged(payload.slice('tenant:'.length));
  }

  /** Notifications may have been lost (the listening connection was down): every tenant's is looked up again. */
  forgetAll(): void {
    this.#active.clear();
  }

  /** Closes a certificate's connections (retired, removed or replaced); the next use opens new ones. */
  release(fingerprint: string): void {
    this.#connections.delete(fingerprint);
    releaseAgent({ fingerprint });
  }

  /** Closes the connections of certificates unused for the idle time; returns their fingerprints. */
  async sweep(): Promise<string[]> {
    const idle: string[] = [];
    for (const [fingerprint, pending] of this.#connections) {
      const connection = await pending.catch(() => undefined);
      if (!connection || this.#now() - connection.usedAt > this.#idleMs) idle.push(fingerprint);
    }
    for (const fingerprint of idle) this.release(fingerprint);
    return idle;
  }

  #activeOf(tenantId: string): Promise<string | undefined> {
    let pending = this.#active.get(tenantId);
    if (!pending) {
      pending = this.#o.certificates.activeFingerprint(tenantId);
      this.#active.set(tenantId, pending);
      // A failed lookup is not remembered; one dropped meanwhile (a change) is not put back.
      pending.catch(() => { if (this.#active.get(tenantId) === pending) this.#active.delete(tenantId); });
    }
    return pending;
  }

  async #connection(fingerprint: string): Promise<Connection> {
    let pending = this.#connections.get(fingerprint);
    if (!pending) {
      pending = this.#open(fingerprint);
      this.#connections.set(fingerprint, pending);
      // A failed load is not remembered: the next order tries again.
      pending.catch(() => { if (this.#connections.get(fingerprint) === pending) this.#connections.delete(fingerprint); });
    }
    const connection = await pending;
    connection.usedAt = this.#now();
    return connection;
  }

  async #open(fingerprint: string): Promise<Connection> {
    const settings = this.#o.settingsCertificate();
    if (settings?.fingerprint === fingerprint) return this.#client(settings, this.#o.defaultEnvironment);
    const material = await this.#o.certificates.material(fingerprint);
    if (!material) throw new BrokerError('no_rp_certificate', `no BankID certificate ${fingerprint} (removed?)`);
    const certificate = loadRpCertificate({ certPem: [material.certPem, ...material.chainPem].join('\n'), keyPem: material.keyPem });
    return this.#client(certificate, material.environment);
  }

  #client(certificate: RpCertificate, environment: BankIdEnvironment): Connection {
    const endpoint = this.#o.endpoints[environment];
    if (!endpoint) throw new BrokerError('no_rp_certificate', `this broker has no connection to BankID ${environment} (certificate ${certificate.fingerprint})`);
    const api = new BankIdClient({ ...this.#o.client, baseUrl: endpoint.baseUrl, caPem: endpoint.caPem, certificate });
    return { api, certificate, usedAt: this.#now() };
  }
}
