/**
 * A small certificate authority toolkit on node-forge: the simulator's TLS CA, its RP certificates,
 * and the simulated BankID user chain that signs completion data. Keys come from Node's native generator.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

const { pki, asn1 } = forge;

export interface Issued {
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
  certPem: string;
  keyPem: string;
}

export interface CertificateSpec {
  /** Subject attributes by short name or OID, e.g. `{ CN: 'x', O: 'y', '2.5.4.41': 'display name' }`. */
  subject: Record<string, string>;
  /** Signs with this issuer; self-signed when absent. */
  issuer?: Issued;
  ca?: boolean;
  notBefore?: Date;
  notAfter?: Date;
  dnsNames?: string[];
  ipAddresses?: string[];
  extKeyUsage?: (keyof typeof EXT_KEY_USAGE_OIDS)[];
  /** Certificate policy OIDs (BankID user certificates carry e.g. 1.2.3.4.5). */
  policies?: string[];
  ocspUrl?: string;
  keyBits?: number;
}

/** Encoded here: node-forge knows no name for OCSPSigning and would silently leave it out. */
const EXT_KEY_USAGE_OIDS = { serverAuth: '1.3.6.1.5.5.7.3.1', clientAuth: '1.3.6.1.5.5.7.3.2', OCSPSigning: '1.3.6.1.5.5.7.3.9' } as const;

const SHORT_NAMES = new Set(['CN', 'C', 'O', 'OU', 'L', 'ST', 'E']);
const NAMED_OIDS: Record<string, string> = { serialNumber: '2.5.4.5', name: '2.5.4.41', GN: '2.5.4.42', SN: '2.5.4.4' };

function attributes(subject: Record<string, string>): forge.pki.CertificateField[] {
  return Object.entries(subject).map(([k, value]) => {
    if (SHORT_NAMES.has(k)) return { shortName: k, value, valueTagClass: asn1.Type.UTF8 as unknown as forge.asn1.Class };
    return { type: NAMED_OIDS[k] ?? k, value, valueTagClass: asn1.Type.UTF8 as unknown as forge.asn1.Class };
  });
}

function oid(value: string) {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(value).getBytes());
}

function policiesExtension(oids: string[]) {
  const seq = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, oids.map((o) =>
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [oid(o)])));
  return { id: '2.5.29.32', critical: false, value: asn1.toDer(seq).getBytes() };
}

function extKeyUsageExtension(usages: (keyof typeof EXT_KEY_USAGE_OIDS)[]) {
  const seq = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, usages.map((u) => oid(EXT_KEY_USAGE_OIDS[u])));
  return { id: '2.5.29.37', critical: false, value: asn1.toDer(seq).getBytes() };
}

function ocspExtension(url: string) {
  const accessDescription = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    oid('1.3.6.1.5.5.7.48.1'),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 6, false, url),
  ]);
  return { id: '1.3.6.1.5.5.7.1.1', critical: false, value: asn1.toDer(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [accessDescription])).getBytes() };
}

export function createCertificate(spec: CertificateSpec): Issued {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: spec.keyBits ?? 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const key = pki.privateKeyFromPem(keyPem);
  const cert = pki.createCertificate();
  cert.publicKey = pki.setRsaPublicKey(key.n, key.e);
  // Positive serial: a leading byte below 0x80.
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  const notBefore = spec.notBefore ?? new Date(Date.now() - 60 * 60 * 1000);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = spec.notAfter ?? new Date(notBefore.getTime() + 5 * 365 * 24 * 60 * 60 * 1000);
  cert.setSubject(attributes(spec.subject));
  cert.setIssuer(spec.issuer ? spec.issuer.cert.subject.attributes : attributes(spec.subject));
  const extensions: object[] = [
    { name: 'basicConstraints', cA: Boolean(spec.ca), critical: true },
    spec.ca
      ? { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true }
      : { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, nonRepudiation: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ];
  if (spec.issuer) extensions.push({ name: 'authorityKeyIdentifier', keyIdentifier: spec.issuer.cert.generateSubjectKeyIdentifier().getBytes() });
  if (spec.extKeyUsage?.length) extensions.push(extKeyUsageExtension(spec.extKeyUsage));
  const altNames = [
    ...(spec.dnsNames ?? []).map((value) => ({ type: 2, value })),
    ...(spec.ipAddresses ?? []).map((ip) => ({ type: 7, ip })),
  ];
  if (altNames.length) extensions.push({ name: 'subjectAltName', altNames });
  if (spec.policies?.length) extensions.push(policiesExtension(spec.policies));
  if (spec.ocspUrl) extensions.push(ocspExtension(spec.ocspUrl));
  cert.setExtensions(extensions);
  cert.sign(spec.issuer?.key ?? key, forge.md.sha256.create());
  return { cert, key, certPem: pki.certificateToPem(cert), keyPem };
}

/**
 * PKCS#12 of a leaf and its chain. `modern` is AES-256 with PBKDF2 (like BankID Keygen and FPTestcert5);
 * `legacy` is 3DES (like the old `.pfx` files some stacks still need).
 */
export function toPkcs12(leaf: Issued, chain: Issued[], passphrase: string, encoding: 'modern' | 'legacy' = 'modern'): Buffer {
  const p12 = forge.pkcs12.toPkcs12Asn1(leaf.key, [leaf.cert, ...chain.map((c) => c.cert)], passphrase, {
    algorithm: encoding === 'modern' ? 'aes256' : '3des',
    generateLocalKeyId: true,
    friendlyName: 'rp',
  });
  return Buffer.from(asn1.toDer(p12).getBytes(), 'binary');
}
