/**
 * The signer's certificate, new with every person: read with node:crypto (OpenSSL) and the DER reader rather than
 * pkijs, whose parsing of it cost more than the rest of a verification (issue 7). pkijs still reads it when the chain
 * takes the full path (chain.ts).
 */
import { X509Certificate } from 'node:crypto';
import { oidOf, readWholeDer, sequence, type Der } from './der.ts';

const SERIAL_NUMBER_ATTRIBUTE = '2.5.4.5';
/** The string types a name attribute is written in, and how their bytes read. */
const STRING_TYPES: Record<number, BufferEncoding> = { 0x0c: 'utf8', 0x13: 'latin1', 0x16: 'latin1' };

export interface SignerCertificate {
  der: Buffer;
  x509: X509Certificate;
  /** The serialNumber INTEGER's content bytes, as OCSP's CertID carries them. */
  serialNumber: Buffer;
  /** The subject's serialNumber (2.5.4.5): a BankID user certificate's personal number. */
  personalNumber: string | undefined;
  /** The extnIDs of its extensions. */
  extensionIds: string[];
}

/** Throws when the bytes are not a certificate. */
export function readSigner(der: Buffer): SignerCertificate {
  const x509 = new X509Certificate(der);
  const fields = sequence(sequence(readWholeDer(der))[0]);
  if (fields[0]?.tag === 0xa0) fields.shift(); // version
  const [serialNumber, , , , subject] = fields;
  if (serialNumber?.tag !== 0x02) throw new Error('a certificate without a serial number');
  const extensions = fields.find((f) => f.tag === 0xa3);
  return {
    der,
    x509,
    serialNumber: serialNumber.content,
    personalNumber: personalNumber(subject),
    extensionIds: extensions ? sequence(readWholeDer(extensions.content)).map((e) => oidOf(sequence(e)[0])) : [],
  };
}

function personalNumber(subject: Der | undefined): string | undefined {
  for (const rdn of sequence(subject)) {
    for (const attribute of rdn.children()) {
      const [type, value] = sequence(attribute);
      if (oidOf(type) !== SERIAL_NUMBER_ATTRIBUTE || !value) continue;
      const encoding = STRING_TYPES[value.tag];
      return encoding && value.content.toString(encoding);
    }
  }
  return undefined;
}
