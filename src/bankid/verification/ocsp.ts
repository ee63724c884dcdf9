/**
 * completionData.ocspResponse (RFC 6960, rp-api-v6.md §9): signed by the signer's CA or by a responder that CA
 * certified for OCSP signing, `good` for the signer's certificate, and carrying BankID's nonce, which starts with
 * SHA-1 of the base64 signature string: the answer was given for this very signature. Read with the DER reader; the
 * responder certificate it carries is the same for every completion and comes from the cache.
 */
import { createHash, verify, type KeyObject } from 'node:crypto';
import type * as pkijs from 'pkijs';
import type { CachedCertificate, VerificationCache } from './cache.ts';
import type { Outcomes } from './checks.ts';
import { oidOf, readWholeDer, sequence, type Der } from './der.ts';
import type { SignerCertificate } from './signer.ts';

const BASIC_RESPONSE = '1.3.6.1.5.5.7.48.1.1';
const NONCE = '1.3.6.1.5.5.7.48.1.2';
const EXT_KEY_USAGE = '2.5.29.37';
const OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';
/** certStatus by its tag: [0] IMPLICIT NULL good, [1] IMPLICIT RevokedInfo revoked, [2] IMPLICIT UnknownInfo unknown. */
const CERT_STATUS: Record<number, string> = { 0x80: 'good', 0xa1: 'revoked', 0x82: 'unknown' };
/** The signature algorithms a response may use, as node:crypto's digest and the key type they need. */
const SIGNATURE_ALGORITHMS: Record<string, { hash: string; key: 'rsa' | 'ec' }> = {
  '1.2.840.113549.1.1.5': { hash: 'sha1', key: 'rsa' },
  '1.2.840.113549.1.1.11': { hash: 'sha256', key: 'rsa' },
  '1.2.840.113549.1.1.12': { hash: 'sha384', key: 'rsa' },
  '1.2.840.113549.1.1.13': { hash: 'sha512', key: 'rsa' },
  '1.2.840.10045.4.3.2': { hash: 'sha256', key: 'ec' },
  '1.2.840.10045.4.3.3': { hash: 'sha384', key: 'ec' },
  '1.2.840.10045.4.3.4': { hash: 'sha512', key: 'ec' },
};
/** CertID's hash algorithms. */
const HASHES: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1', '2.16.840.1.101.3.4.2.1': 'sha256', '2.16.840.1.101.3.4.2.2': 'sha384', '2.16.840.1.101.3.4.2.3': 'sha512',
};

export interface OcspSubject {
  signer: SignerCertificate;
  /** The CA that issued the signer (KeyInfo's second certificate). */
  issuer: CachedCertificate;
  /** completionData.signature as received. */
  signatureBase64: string;
  /** The moment the responder's certificate must be valid at. */
  at: Date;
}

export async function checkOcsp(ocspBase64: string, subject: OcspSubject, outcomes: Outcomes, cache: VerificationCache): Promise<void> {
  const { signer, issuer } = subject;
  // The responder is trusted through this CA: it must be the one that issued the signer, not any certificate in KeyInfo.
  if (!signer.x509.checkIssued(issuer.x509) || !signer.x509.verify(issuer.publicKey)) {
    outcomes.fail('ocspSignature', 'KeyInfo\'s second certificate did not issue the signer, so no responder can be trusted');
    for (const check of ['ocspStatus', 'ocspNonce'] as const) outcomes.skip(check, 'no trusted responder');
    return;
  }
  let basic: BasicResponse;
  try {
    const read = readResponse(Buffer.from(ocspBase64, 'base64'));
    if (typeof read === 'string') {
      outcomes.skip('ocspSignature', read);
      outcomes.fail('ocspStatus', read);
      outcomes.skip('ocspNonce', read);
      return;
    }
    basic = read;
  } catch (err) {
    for (const check of ['ocspSignature', 'ocspStatus', 'ocspNonce'] as const) outcomes.fail(check, `the OCSP response cannot be read: ${(err as Error).message}`);
    return;
  }
  outcomes.expect('ocspSignature', ...await signatureVerdict(basic, subject, cache));
  const status = certificateStatus(basic, signer, issuer);
  outcomes.expect('ocspStatus', status === 'good', `the certificate status is ${status ?? 'not reported'}, not good`);
  outcomes.expect('ocspNonce', nonceMatches(basic, subject.signatureBase64), 'the nonce does not start with SHA-1 of the signature');
}

interface BasicResponse {
  /** The DER of tbsResponseData: what the responder signed. */
  tbs: Buffer;
  responderId: Der;
  responses: SingleResponse[];
  /** The nonce extension's value, when there is one. */
  nonce: Buffer | undefined;
  signatureAlgorithm: string;
  signature: Buffer;
  certs: Buffer[];
}

interface SingleResponse {
  /** CertID: its hash algorithm (node:crypto's name, undefined when unknown), the hashes and the serial number. */
  hash: string | undefined;
  nameHash: Buffer;
  keyHash: Buffer;
  serialNumber: Buffer;
  status: string;
}

/** The BasicOCSPResponse, or why there is none (a status other than successful, another response type); throws when malformed. */
function readResponse(der: Buffer): BasicResponse | string {
  const [status, responseBytes, ...rest] = sequence(readWholeDer(der));
  const code = status?.tag === 0x0a && status.content.length === 1 ? status.content[0]! : undefined;
  if (code === undefined || rest.length > 0) throw new Error('not an OCSPResponse');
  if (code !== 0) return `the responder answered with status ${code}, not successful`;
  const [type, octets] = sequence(explicit(responseBytes, 0xa0));
  if (!type || oidOf(type) !== BASIC_RESPONSE) return 'not a basic OCSP response';
  if (octets?.tag !== 0x04) throw new Error('responseBytes holds no OCTET STRING');

  const [tbs, algorithm, signature, certs, ...more] = sequence(readWholeDer(octets.content));
  if (!tbs || !algorithm || signature?.tag !== 0x03 || signature.content[0] !== 0 || more.length > 0) throw new Error('not a BasicOCSPResponse');
  const fields = sequence(tbs);
  if (fields[0]?.tag === 0xa0) fields.shift(); // version, v1 is the only one
  const [responderId, producedAt, responses, extensions, ...extra] = fields;
  const responderTagged = responderId?.tag === 0xa1 || responderId?.tag === 0xa2;
  if (!responderTagged || producedAt?.tag !== 0x18 || responses?.tag !== 0x30 || extra.length > 0) throw new Error('not a ResponseData');
  const nonce = (extensions ? sequence(explicit(extensions, 0xa1)) : []).map(sequence).find(([id]) => oidOf(id) === NONCE)?.at(-1);
  if (nonce && nonce.tag !== 0x04) throw new Error('the nonce extension holds no OCTET STRING');
  return {
    tbs: tbs.bytes,
    responderId: explicit(responderId, responderId.tag),
    responses: responses.children().map(singleResponse),
    nonce: nonce?.content,
    signatureAlgorithm: oidOf(sequence(algorithm)[0]),
    signature: signature.content.subarray(1),
    certs: certs ? sequence(explicit(certs, 0xa0)).map((c) => c.bytes) : [],
  };
}

function singleResponse(element: Der): SingleResponse {
  const [certId, status] = sequence(element);
  const [algorithm, nameHash, keyHash, serialNumber] = sequence(certId);
  if (nameHash?.tag !== 0x04 || keyHash?.tag !== 0x04 || serialNumber?.tag !== 0x02 || !status) throw new Error('not a SingleResponse');
  return {
    hash: HASHES[oidOf(sequence(algorithm)[0])], nameHash: nameHash.content, keyHash: keyHash.content, serialNumber: serialNumber.content,
    status: CERT_STATUS[status.tag] ?? 'not one RFC 6960 knows',
  };
}

async function signatureVerdict(basic: BasicResponse, subject: OcspSubject, cache: VerificationCache): Promise<[boolean, string]> {
  const responder = await responderCertificate(basic, subject, cache);
  if (!responder) return [false, 'signed by neither the issuing CA nor a responder it certified for OCSP signing, valid at the time'];
  const algorithm = SIGNATURE_ALGORITHMS[basic.signatureAlgorithm];
  if (!algorithm || responder.publicKey.asymmetricKeyType !== algorithm.key) {
    return [false, `signed with an algorithm not accepted for the responder's key (${basic.signatureAlgorithm})`];
  }
  return [verify(algorithm.hash, basic.tbs, responder.publicKey, basic.signature), 'the signature does not verify with the responder\'s key'];
}

/** The certificate the responder ID names: the issuing CA itself, or a certificate in `certs` it issued for OCSP signing. */
async function responderCertificate(basic: BasicResponse, subject: OcspSubject, cache: VerificationCache): Promise<{ publicKey: KeyObject } | undefined> {
  const { issuer, at } = subject;
  if (namesResponder(basic.responderId, issuer.parsed)) return issuer;
  for (const der of basic.certs) {
    let candidate;
    try {
      candidate = cache.certificate(der);
    } catch {
      continue; // not a certificate, so it names no responder
    }
    const { parsed } = candidate;
    if (!namesResponder(basic.responderId, parsed) || !canSignOcsp(parsed)) continue;
    if (parsed.notBefore.value > at || parsed.notAfter.value < at) continue;
    if (parsed.issuer.isEqual(issuer.parsed.subject) && await parsed.verify(issuer.parsed, cache.crypto)) return candidate;
  }
  return undefined;
}

/** ResponderID is byName ([1] Name, the DER of the subject) or byKey ([2] SHA-1 of the subjectPublicKey bits). */
function namesResponder(responderId: Der, certificate: pkijs.Certificate): boolean {
  if (responderId.tag === 0x30) return responderId.bytes.equals(Buffer.from(certificate.subject.valueBeforeDecode));
  if (responderId.tag !== 0x04) return false;
  const keyHash = createHash('sha1').update(certificate.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView).digest();
  return keyHash.equals(responderId.content);
}

function canSignOcsp(certificate: pkijs.Certificate): boolean {
  const usage = certificate.extensions?.find((e) => e.extnID === EXT_KEY_USAGE)?.parsedValue as pkijs.ExtKeyUsage | undefined;
  return usage?.keyPurposes.includes(OCSP_SIGNING) ?? false;
}

/** The status of the SingleResponse whose CertID names the signer (issuer name and key hashes, serial number). */
function certificateStatus(basic: BasicResponse, signer: SignerCertificate, issuer: CachedCertificate): string | undefined {
  const { subject, subjectPublicKeyInfo } = issuer.parsed;
  const response = basic.responses.find(({ hash, nameHash, keyHash, serialNumber }) => hash !== undefined && serialNumber.equals(signer.serialNumber)
    && nameHash.equals(createHash(hash).update(new Uint8Array(subject.valueBeforeDecode)).digest())
    && keyHash.equals(createHash(hash).update(subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView).digest()));
  return response?.status;
}

/**
 * BankID writes the 32 nonce bytes (SHA-1 of the base64 signature, then 12 random bytes) straight into the extension
 * value; RFC 8954 wraps them in one more OCTET STRING. Either form is read.
 */
function nonceMatches(basic: BasicResponse, signatureBase64: string): boolean {
  if (!basic.nonce) return false;
  const expected = createHash('sha1').update(signatureBase64, 'utf8').digest();
  const startsRight = (bytes: Buffer) => bytes.subarray(0, expected.length).equals(expected);
  if (startsRight(basic.nonce)) return true;
  try {
    const wrapped = readWholeDer(basic.nonce);
    return wrapped.tag === 0x04 && startsRight(wrapped.content);
  } catch {
    return false; // neither form
  }
}

/** The one element inside an explicit tag. */
function explicit(element: Der | undefined, tag: number): Der {
  if (element?.tag !== tag) throw new Error(`tag [${tag & 0x1f}] was expected`);
  return readWholeDer(element.content);
}
