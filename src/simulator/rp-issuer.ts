/**
 * Further RP certificates from the simulator's RP CA, as a bank issues one per BankID agreement: a second tenant's
 * certificate, an expired one, one to mark revoked. PKCS#12 under the simulator's passphrase.
 */
import { createHash } from 'node:crypto';
import forge from 'node-forge';
import { createCertificate, toPkcs12, type Issued } from './pki.ts';

export interface RpCertificateRequest {
  /** What the BankID app shows as the requester (subject `name`). */
  displayName: string;
  /** The holder's organisation number (subject `serialNumber`), 10 digits. */
  organisationNumber?: string;
  notBefore?: Date;
  notAfter?: Date;
}

export interface IssuedRpCertificate {
  pkcs12: Buffer;
  /** SHA-256 of the DER certificate, lower-case hex: the form order summaries use. */
  fingerprint: string;
}

export function issueRpCertificate(rpCa: Issued, passphrase: string, request: RpCertificateRequest): IssuedRpCertificate {
  const leaf = createCertificate({
    subject: { C: 'SE', O: request.displayName, ...(request.organisationNumber ? { serialNumber: request.organisationNumber } : {}), name: request.displayName, CN: `FP ${request.displayName}` },
    issuer: rpCa,
    extKeyUsage: ['clientAuth'],
    notBefore: request.notBefore,
    notAfter: request.notAfter,
  });
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(leaf.cert)).getBytes(), 'binary');
  return { pkcs12: toPkcs12(leaf, [rpCa], passphrase), fingerprint: createHash('sha256').update(der).digest('hex') };
}
