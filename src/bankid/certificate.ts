/**
 * The relying-party ("FP") certificate that authenticates Brygga to BankID over mutual TLS (rp-api-v6.md §1.3).
 * Loading checks everything that would otherwise surface later as an opaque TLS handshake failure.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import forge from 'node-forge';
import type { Logger } from '../observability/logger.ts';
import { CertificateError } from './errors.ts';
import { readPem, readPkcs12, type KeyMaterial } from './key-material.ts';

const { pki, asn1, util } = forge;

export interface RpCertificate {
  certPem: string;
  /** Unencrypted PEM for Node TLS. */
  keyPem: string;
  /** Intermediates from the file, excluding the leaf. */
  chainPem: string[];
  subject: string;
  /** The issuing CA's name: tells BankID's production, test and the simulator's RP CAs apart (environmentOfIssuer). */
  issuer: string;
  /** Hex, as the issuer assigned it. */
  serialNumber: string;
  /** Subject attribute `name` (2.5.4.41): what the user sees as the requester. */
  displayName?: string;
  /** Subject `serialNumber`: the RP's organisation number. */
  organizationNumber?: string;
  notBefore: Date;
  notAfter: Date;
  /** Lowercase hex SHA-256 of the DER certificate. */
  fingerprint: string;
  daysLeft(now?: Date): number;
}

export type RpCertificateSource =
  | { pkcs12: Buffer; passphrase: string }
  | { certPem: string; keyPem: string; passphrase?: string };

export interface LoadOptions {
  now?: Date;
  logger?: Logger;
}

export interface RpCertificateFiles {
  /** PKCS#12 (.p12/.pfx); takes precedence over the PEM pair. */
  certFile?: string;
  certPemFile?: string;
  /** Defaults to certPemFile, for files holding the certificate followed by its key. */
  keyPemFile?: string;
  passphrase?: string;
}

const NAME_OID = '2.5.4.41';
const SERIAL_NUMBER_OID = '2.5.4.5';
const EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

function matchesKey(cert: forge.pki.Certificate, key: forge.pki.rsa.PrivateKey): boolean {
  const publicKey = cert.publicKey as Partial<forge.pki.rsa.PublicKey>;
  return Boolean(publicKey.n?.equals(key.n) && publicKey.e?.equals(key.e));
}

/** forge hands UTF8String values over as undecoded bytes; BankID display names are full of å, ä and ö. */
function text(attribute: forge.pki.CertificateField): string {
  const value = String(attribute.value);
  return (attribute.valueTagClass as unknown) === asn1.Type.UTF8 ? util.decodeUtf8(value) : value;
}

function field(cert: forge.pki.Certificate, type: string): string | undefined {
  const attribute = cert.subject.getField({ type }) as forge.pki.CertificateField | null;
  return attribute ? text(attribute) : undefined;
}

function describeName(name: forge.pki.Certificate['subject']): string {
  return name.attributes
    .map((a) => `${a.shortName ?? (a.type === NAME_OID ? 'name' : a.name ?? a.type)}=${text(a)}`)
    .join(', ');
}

function checkValidity(subject: string, notBefore: Date, notAfter: Date, now: Date): void {
  if (now > notAfter) {
    throw new CertificateError('expired', `The RP certificate "${subject}" expired on ${notAfter.toISOString()}: get a new one from your bank.`);
  }
  if (now < notBefore) {
    throw new CertificateError('not-yet-valid', `The RP certificate "${subject}" is valid only from ${notBefore.toISOString()}: check the clock or wait.`);
  }
}

function toRpCertificate({ key, certs }: KeyMaterial, options: LoadOptions): RpCertificate {
  if (certs.length === 0) throw new CertificateError('no-certificate', 'The RP certificate file holds a key but no certificate.');
  const leaf = certs.find((c) => matchesKey(c, key));
  if (!leaf) throw new CertificateError('key-mismatch', 'The private key does not belong to the RP certificate: check that both come from the same order.');
  const subject = describeName(leaf.subject);
  const { notBefore, notAfter } = leaf.validity;
  const now = options.now ?? new Date();
  checkValidity(subject, notBefore, notAfter, now);
  const der = Buffer.from(asn1.toDer(pki.certificateToAsn1(leaf)).getBytes(), 'binary');
  const certificate: RpCertificate = {
    certPem: pki.certificateToPem(leaf),
    keyPem: pki.privateKeyToPem(key),
    chainPem: certs.filter((c) => c !== leaf).map((c) => pki.certificateToPem(c)),
    subject,
    issuer: describeName(leaf.issuer),
    serialNumber: leaf.serialNumber,
    displayName: field(leaf, NAME_OID),
    organizationNumber: field(leaf, SERIAL_NUMBER_OID),
    notBefore,
    notAfter,
    fingerprint: createHash('sha256').update(der).digest('hex'),
    daysLeft: (at = new Date()) => Math.floor((notAfter.getTime() - at.getTime()) / DAY_MS),
  };
  const daysLeft = certificate.daysLeft(now);
  if (daysLeft < EXPIRY_WARNING_DAYS) {
    options.logger?.warn({ subject, fingerprint: certificate.fingerprint, notAfter: notAfter.toISOString(), daysLeft },
      `the BankID RP certificate expires in ${daysLeft} days: renew it`);
  }
  return certificate;
}

export function loadRpCertificate(source: RpCertificateSource, options: LoadOptions = {}): RpCertificate {
  const material = 'pkcs12' in source
    ? readPkcs12(source.pkcs12, source.passphrase)
    : readPem(source.certPem, source.keyPem, source.passphrase);
  return toRpCertificate(material, options);
}

function readFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new CertificateError('unreadable', `The RP certificate file ${path} cannot be read (${(cause as Error).message}).`, { cause });
  }
}

function withPath<T>(path: string, load: () => T): T {
  try {
    return load();
  } catch (err) {
    if (err instanceof CertificateError) throw new CertificateError(err.reason, `${path}: ${err.message}`, { cause: err });
    throw err;
  }
}

export function loadRpCertificateFiles(files: RpCertificateFiles, options: LoadOptions = {}): RpCertificate {
  const { certFile, certPemFile, passphrase } = files;
  if (certFile) {
    const pkcs12 = readFile(certFile);
    return withPath(certFile, () => loadRpCertificate({ pkcs12, passphrase: passphrase ?? '' }, options));
  }
  if (certPemFile) {
    const keyPemFile = files.keyPemFile ?? certPemFile;
    const certPem = readFile(certPemFile).toString('utf8');
    const keyPem = readFile(keyPemFile).toString('utf8');
    return withPath(certPemFile, () => loadRpCertificate({ certPem, keyPem, passphrase }, options));
  }
  throw new CertificateError('unreadable', 'No RP certificate configured: give a PKCS#12 file (BANKID_CERT_FILE) or a PEM certificate and key (BANKID_CERT_PEM_FILE, BANKID_KEY_PEM_FILE).');
}
