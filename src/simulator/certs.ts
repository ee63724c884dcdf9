/**
 * The simulator's certificate files: created on first start, loaded on later starts, and regenerated per
 * group (server TLS, RP client, BankID user PKI) when a file of that group is missing, corrupt or expired.
 */
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import forge from 'node-forge';
import type { Logger } from '../observability/logger.ts';
import { createCertificate, toPkcs12, type CertificateSpec, type Issued } from './pki.ts';

/** Where user certificates say their OCSP responder lives; `.invalid` because nothing answers there. */
export const USER_OCSP_URL = 'http://ocsp.bankid-simulator.invalid/';
/** The test policy of "BankID på fil" (rp-api-v6.md §1.5). */
export const USER_CERT_POLICY = '1.2.3.4.5';

const TESTBANK = { C: 'SE', O: 'Testbank A AB (publ)' };
/** A loaded certificate must stay valid at least this long, or its group is issued again. */
const MIN_REMAINING_MS = 24 * 60 * 60 * 1000;

interface Member {
  file: string;
  issuer?: string;
  spec: CertificateSpec;
}

/** Each group is issued together, issuers first; `issuer` names an earlier member of the same group. */
const GROUPS: Record<'server' | 'rp' | 'user', Member[]> = {
  server: [
    { file: 'ca', spec: { subject: { C: 'SE', O: 'Brygga', OU: 'Infrastructure CA', CN: 'BankID Simulator SSL Root CA v1' }, ca: true } },
    { file: 'server', issuer: 'ca', spec: { subject: { C: 'SE', O: 'Brygga', CN: 'localhost' }, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1', '::1'], extKeyUsage: ['serverAuth'] } },
  ],
  rp: [
    { file: 'rp-ca', spec: { subject: { ...TESTBANK, CN: 'Testbank A RP CA v1 for BankID Simulator' }, ca: true } },
    // The subject of BankID's public test certificate, with our own CN; `name` is what users see as the RP.
    { file: 'rp', issuer: 'rp-ca', spec: { subject: { ...TESTBANK, serialNumber: '5566304928', name: 'Test av BankID', CN: 'FP Testcert Brygga' }, extKeyUsage: ['clientAuth'] } },
  ],
  user: [
    { file: 'user-root-ca', spec: { subject: { O: 'Finansiell ID-Teknik BID AB', OU: 'BankID Member Banks CA', CN: 'Test BankID Root CA v1 Test' }, ca: true, policies: [USER_CERT_POLICY] } },
    { file: 'user-bank-ca', issuer: 'user-root-ca', spec: { subject: { ...TESTBANK, serialNumber: '111111111111', CN: 'Testbank A CA v1 for BankID Test' }, ca: true, policies: [USER_CERT_POLICY] } },
    { file: 'user-customer-ca', issuer: 'user-bank-ca', spec: { subject: { ...TESTBANK, serialNumber: '111111111111', CN: 'Testbank A Customer CA1 v1 for BankID Test' }, ca: true, policies: [USER_CERT_POLICY] } },
    { file: 'user-ocsp', issuer: 'user-customer-ca', spec: { subject: { ...TESTBANK, CN: 'Testbank A OCSP Responder for BankID Test' }, extKeyUsage: ['OCSPSigning'] } },
  ],
};

export interface SimulatorCertificates {
  serverCa: Issued;
  server: Issued;
  rpCa: Issued;
  rp: Issued;
  userRootCa: Issued;
  userBankCa: Issued;
  userCustomerCa: Issued;
  userOcsp: Issued;
  files: { ca: string; rpCa: string; rpP12: string; userRootCa: string };
}

/** Loads the certificate set from `dir`, issuing whatever is missing or unusable. */
export function ensureCertificates(dir: string, p12Passphrase: string, logger?: Logger): SimulatorCertificates {
  mkdirSync(dir, { recursive: true });
  const issued = new Map<string, Issued>();
  for (const [group, members] of Object.entries(GROUPS)) {
    const loaded = loadGroup(dir, members);
    const set = loaded ?? issueGroup(dir, members);
    if (!loaded) logger?.info({ dir, group }, 'simulator certificates issued');
    for (const [file, cert] of set) issued.set(file, cert);
  }
  const get = (file: string) => issued.get(file)!;
  const rpP12 = join(dir, 'rp.p12');
  if (!p12Holds(rpP12, p12Passphrase, get('rp'))) {
    writePrivate(rpP12, toPkcs12(get('rp'), [get('rp-ca')], p12Passphrase, 'modern'));
  }
  return {
    serverCa: get('ca'),
    server: get('server'),
    rpCa: get('rp-ca'),
    rp: get('rp'),
    userRootCa: get('user-root-ca'),
    userBankCa: get('user-bank-ca'),
    userCustomerCa: get('user-customer-ca'),
    userOcsp: get('user-ocsp'),
    files: { ca: join(dir, 'ca.pem'), rpCa: join(dir, 'rp-ca.pem'), rpP12, userRootCa: join(dir, 'user-root-ca.pem') },
  };
}

function loadGroup(dir: string, members: Member[]): Map<string, Issued> | undefined {
  const loaded = new Map<string, Issued>();
  try {
    for (const member of members) {
      const certPem = readFileSync(join(dir, `${member.file}.pem`), 'utf8');
      const keyPem = readFileSync(join(dir, `${member.file}.key`), 'utf8');
      const x509 = new X509Certificate(certPem);
      const issuer = member.issuer ? loaded.get(member.issuer)! : undefined;
      const issuerKey = issuer ? createPublicKey(issuer.certPem) : x509.publicKey;
      const keyMatches = createPublicKey(createPrivateKey(keyPem)).export({ format: 'jwk' }).n === x509.publicKey.export({ format: 'jwk' }).n;
      const current = Date.parse(x509.validTo) - Date.now() > MIN_REMAINING_MS;
      if (!keyMatches || !current || !x509.verify(issuerKey)) return undefined;
      loaded.set(member.file, { cert: forge.pki.certificateFromPem(certPem), key: forge.pki.privateKeyFromPem(keyPem), certPem, keyPem });
    }
  } catch {
    // A missing or unreadable file: the group is issued again.
    return undefined;
  }
  return loaded;
}

function issueGroup(dir: string, members: Member[]): Map<string, Issued> {
  const issued = new Map<string, Issued>();
  for (const member of members) {
    const cert = createCertificate({ ...member.spec, issuer: member.issuer ? issued.get(member.issuer) : undefined });
    issued.set(member.file, cert);
  }
  // Keys first, certificates last: a crash in between leaves a group that fails to load and is issued again.
  for (const [file, cert] of issued) writePrivate(join(dir, `${file}.key`), cert.keyPem);
  for (const [file, cert] of issued) writeAtomic(join(dir, `${file}.pem`), cert.certPem, 0o644);
  return issued;
}

function p12Holds(file: string, passphrase: string, leaf: Issued): boolean {
  try {
    const pfx = readFileSync(file);
    createSecureContext({ pfx, passphrase });
    const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(pfx.toString('binary')), passphrase);
    const bags = p12.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!] ?? [];
    return bags.some((bag) => bag.cert && forge.pki.certificateToPem(bag.cert) === leaf.certPem);
  } catch {
    return false;
  }
}

function writePrivate(file: string, data: string | Buffer): void {
  writeAtomic(file, data, 0o600);
}

function writeAtomic(file: string, data: string | Buffer, mode: number): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, data, { mode });
  chmodSync(temporary, mode);
  renameSync(temporary, file);
}
