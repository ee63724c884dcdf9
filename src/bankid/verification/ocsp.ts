/**
 * completionData.ocspResponse (RFC 6960, rp-api-v6.md §9), with pkijs: signed by the signer's CA or by a responder
 * that CA certified for OCSP signing, `good` for the signer's certificate, and carrying BankID's nonce, which starts
 * with SHA-1 of the base64 signature string: the answer was given for this very signature.
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { VerificationCache } from './cache.ts';
import type { Outcomes } from './checks.ts';

const BASIC_RESPONSE = '1.3.6.1.5.5.7.48.1.1';
const NONCE = '1.3.6.1.5.5.7.48.1.2';
const EXT_KEY_USAGE = '2.5.29.37';
const OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';
const CERT_STATUS = ['good', 'revoked', 'unknown'] as const;

export interface OcspSubject {
  signer: pkijs.Certificate;
  /** The CA that issued the signer (KeyInfo's second certificate). */
  issuer: pkijs.Certificate;
  /** completionData.signature as received. */
  signatureBase64: string;
}

export async function checkOcsp(ocspBase64: string, subject: OcspSubject, outcomes: Outcomes, cache: VerificationCache): Promise<void> {
  // The responder is trusted through this CA: it must be the one that issued the signer, not any certificate in KeyInfo.
  if (!subject.signer.issuer.isEqual(subject.issuer.subject) || !(await subject.signer.verify(subject.issuer, cache.crypto))) {
    outcomes.fail('ocspSignature', 'KeyInfo\'s second certificate did not issue the signer, so no responder can be trusted');
    for (const check of ['ocspStatus', 'ocspNonce'] as const) outcomes.skip(check, 'no trusted responder');
    return;
  }
  let basic: pkijs.BasicOCSPResponse;
  try {
    const response = pkijs.OCSPResponse.fromBER(Buffer.from(ocspBase64, 'base64'));
    const status = response.responseStatus.valueBlock.valueDec;
    if (status !== 0 || response.responseBytes?.responseType !== BASIC_RESPONSE) {
      const reason = status !== 0 ? `the responder answered with status ${status}, not successful` : 'not a basic OCSP response';
      outcomes.skip('ocspSignature', reason);
      outcomes.fail('ocspStatus', reason);
      outcomes.skip('ocspNonce', reason);
      return;
    }
    basic = pkijs.BasicOCSPResponse.fromBER(new Uint8Array(response.responseBytes.response.valueBlock.valueHexView));
  } catch (err) {
    for (const check of ['ocspSignature', 'ocspStatus', 'ocspNonce'] as const) outcomes.fail(check, `the OCSP response cannot be read: ${(err as Error).message}`);
    return;
  }
  outcomes.expect('ocspSignature', ...await signatureVerdict(basic, subject.issuer));
  const { status } = await basic.getCertificateStatus(subject.signer, subject.issuer);
  outcomes.expect('ocspStatus', status === 0, `the certificate status is ${CERT_STATUS[status] ?? 'not reported'}, not good`);
  outcomes.expect('ocspNonce', nonceMatches(basic, subject.signatureBase64), 'the nonce does not start with SHA-1 of the signature');
}

async function signatureVerdict(basic: pkijs.BasicOCSPResponse, issuer: pkijs.Certificate): Promise<[boolean, string]> {
  const responder = await responderCertificate(basic, issuer);
  if (!responder) return [false, 'signed by neither the issuing CA nor a responder it certified for OCSP signing'];
  const valid = await pkijs.getCrypto(true).verifyWithPublicKey(
    new Uint8Array(basic.tbsResponseData.tbsView), basic.signature, responder.subjectPublicKeyInfo, basic.signatureAlgorithm);
  return [valid, 'the signature does not verify with the responder\'s key'];
}

/** The certificate the responder ID names: the issuing CA itself, or a certificate in `certs` it issued for OCSP signing. */
async function responderCertificate(basic: pkijs.BasicOCSPResponse, issuer: pkijs.Certificate): Promise<pkijs.Certificate | undefined> {
  const named = (certificate: pkijs.Certificate) => namesResponder(basic.tbsResponseData.responderID, certificate);
  if (named(issuer)) return issuer;
  for (const candidate of basic.certs ?? []) {
    if (!named(candidate) || !canSignOcsp(candidate)) continue;
    if (candidate.issuer.isEqual(issuer.subject) && await candidate.verify(issuer)) return candidate;
  }
  return undefined;
}

/** ResponderID is byName ([1] Name) or byKey ([2] SHA-1 of the subjectPublicKey bits). */
function namesResponder(responderId: unknown, certificate: pkijs.Certificate): boolean {
  if (responderId instanceof pkijs.RelativeDistinguishedNames) return responderId.isEqual(certificate.subject);
  if (responderId instanceof asn1js.OctetString) {
    const keyHash = createHash('sha1').update(certificate.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView).digest();
    return keyHash.equals(Buffer.from(responderId.valueBlock.valueHexView));
  }
  return false;
}

function canSignOcsp(certificate: pkijs.Certificate): boolean {
  const usage = certificate.extensions?.find((e) => e.extnID === EXT_KEY_USAGE)?.parsedValue as pkijs.ExtKeyUsage | undefined;
  return usage?.keyPurposes.includes(OCSP_SIGNING) ?? false;
}

/**
 * BankID writes the 32 nonce bytes (SHA-1 of the base64 signature, then 12 random bytes) straight into the extension
 * value; RFC 8954 wraps them in one more OCTET STRING. Either form is read.
 */
function nonceMatches(basic: pkijs.BasicOCSPResponse, signatureBase64: string): boolean {
  const extension = basic.tbsResponseData.responseExtensions?.find((e) => e.extnID === NONCE);
  if (!extension) return false;
  const expected = createHash('sha1').update(signatureBase64, 'utf8').digest();
  const raw = Buffer.from(extension.extnValue.valueBlock.valueHexView);
  if (raw.subarray(0, expected.length).equals(expected)) return true;
  const wrapped = asn1js.fromBER(raw).result;
  return wrapped instanceof asn1js.OctetString && Buffer.from(wrapped.valueBlock.valueHexView).subarray(0, expected.length).equals(expected);
}
