/**
 * Reads a private key and certificates out of PKCS#12 or PEM with node-forge, turning forge's
 * assorted exception messages into CertificateErrors an operator can act on.
 */
import forge from 'node-forge';
import { CertificateError } from './errors.ts';

const { pki, pkcs12, asn1, pem, util } = forge;

export interface KeyMaterial {
  key: forge.pki.rsa.PrivateKey;
  /** Every certificate found, in file order; the caller picks the leaf by key. */
  certs: forge.pki.Certificate[];
}

/** forge's wording when a passphrase-derived key fails (MAC check, or padding/ASN.1 garbage after decryption). */
const WRONG_PASSPHRASE = /password|MAC could not be verified|decrypt/i;

function wrongPassphrase(cause: unknown): CertificateError {
  return new CertificateError('wrong-passphrase', 'The passphrase of the RP certificate is wrong (or missing).', { cause });
}

function unreadable(what: string, cause: unknown): CertificateError {
  const detail = cause instanceof Error ? ` (${cause.message})` : '';
  return new CertificateError('unreadable', `The RP certificate could not be read: ${what}${detail}.`, { cause });
}

function bags(p12: forge.pkcs12.Pkcs12Pfx, bagType: string): forge.pkcs12.Bag[] {
  return p12.getBags({ bagType })[bagType] ?? [];
}

/**
 * forge derives the MAC key from the passphrase as BMPString but PBES2 (AES) keys from its raw char codes,
 * whereas OpenSSL and BankID Keygen use UTF-8 bytes there. With a non-ASCII passphrase the MAC then verifies
 * and decryption fails, so decrypt once more without the (already verified) MAC, using the UTF-8 bytes.
 */
function openPfx(der: forge.asn1.Asn1, passphrase: string): forge.pkcs12.Pkcs12Pfx {
  try {
    return pkcs12.pkcs12FromAsn1(der, passphrase);
  } catch (first) {
    const utf8 = util.encodeUtf8(passphrase);
    const macVerified = !/MAC/.test((first as Error).message);
    if (utf8 === passphrase || !macVerified || !Array.isArray(der.value)) throw first;
    const withoutMac = asn1.create(der.tagClass, der.type, der.constructed, der.value.slice(0, 2));
    return pkcs12.pkcs12FromAsn1(withoutMac, utf8);
  }
}

export function readPkcs12(file: Buffer, passphrase: string): KeyMaterial {
  let der: forge.asn1.Asn1;
  try {
    der = asn1.fromDer(util.createBuffer(file.toString('binary')));
  } catch (cause) {
    throw unreadable('it is not a PKCS#12 (.p12/.pfx) file', cause);
  }
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = openPfx(der, passphrase);
  } catch (cause) {
    throw WRONG_PASSPHRASE.test((cause as Error).message) ? wrongPassphrase(cause) : unreadable('unsupported PKCS#12 content', cause);
  }
  const key = [...bags(p12, pki.oids.pkcs8ShroudedKeyBag!), ...bags(p12, pki.oids.keyBag!)].find((b) => b.key)?.key;
  if (!key) throw new CertificateError('no-key', 'The PKCS#12 file holds no private key: export it again with the key included.');
  const certs = bags(p12, pki.oids.certBag!).flatMap((b) => (b.cert ? [b.cert] : []));
  return { key: key as forge.pki.rsa.PrivateKey, certs };
}

function decodePem(text: string, what: string): forge.pem.ObjectPEM[] {
  try {
    return pem.decode(text);
  } catch (cause) {
    throw unreadable(`the ${what} is not valid PEM`, cause);
  }
}

function isEncrypted(block: forge.pem.ObjectPEM): boolean {
  return block.type === 'ENCRYPTED PRIVATE KEY' || block.procType?.type === 'ENCRYPTED';
}

function readPemKey(keyPem: string, passphrase: string | undefined): forge.pki.rsa.PrivateKey {
  const block = decodePem(keyPem, 'key file').find((b) => b.type.endsWith('PRIVATE KEY'));
  if (!block) throw new CertificateError('no-key', 'The key file holds no PEM private key.');
  const text = pem.encode(block);
  if (!isEncrypted(block)) {
    try {
      return pki.privateKeyFromPem(text);
    } catch (cause) {
      throw unreadable('the private key is not an RSA key forge can read', cause);
    }
  }
  if (!passphrase) throw new CertificateError('wrong-passphrase', 'The private key is encrypted but no passphrase was given.');
  let key: forge.pki.rsa.PrivateKey | null;
  try {
    // OpenSSL and Node encrypt PEM keys under the UTF-8 bytes of the passphrase.
    key = pki.decryptRsaPrivateKey(text, util.encodeUtf8(passphrase));
  } catch (cause) {
    throw wrongPassphrase(cause);
  }
  if (!key) throw wrongPassphrase(undefined);
  return key;
}

export function readPem(certPem: string, keyPem: string, passphrase: string | undefined): KeyMaterial {
  const certBlocks = decodePem(certPem, 'certificate file').filter((b) => b.type === 'CERTIFICATE');
  if (certBlocks.length === 0) throw new CertificateError('no-certificate', 'The certificate file holds no PEM certificate.');
  let certs: forge.pki.Certificate[];
  try {
    certs = certBlocks.map((b) => pki.certificateFromPem(pem.encode(b)));
  } catch (cause) {
    throw unreadable('a certificate in the PEM file is not an RSA X.509 certificate', cause);
  }
  return { key: readPemKey(keyPem, passphrase), certs };
}
