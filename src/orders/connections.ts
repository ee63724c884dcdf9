import type { BankIdApi } from '../bankid/types.ts';

/**
 * Where the order flow gets its BankID API: per client for a new order (its tenant's active certificate), per
 * certificate for the collects and the cancel of an order, which BankID accepts only from the certificate that
 * started it. The BankID client itself knows nothing of tenants.
 */
export interface BankIdConnections {
  /** The API for a new order of this client, with the fingerprint of the certificate it uses (stored with the order). */
  forClient(clientId: string): Promise<{ api: BankIdApi; rpCertificate: string }>;
  /** The API of the certificate with this fingerprint. */
  forCertificate(fingerprint: string): Promise<BankIdApi>;
}
