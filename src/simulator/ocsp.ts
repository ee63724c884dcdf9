/**
 * The `ocspResponse` of completionData (RFC 6960, rp-api-v6.md §9): a successful OCSPResponse whose
 * BasicOCSPResponse says "good" (or, for tests, "revoked") for the user certificate, is signed by the responder under the same CA,
 * and carries BankID's nonce: SHA-1 of the base64 signature string followed by 12 random bytes.
 */
import { X509Certificate, createHash, createPublicKey, randomBytes, sign } from 'node:crypto';
import forge from 'node-forge';
import type { Issued } from './pki.ts';

const { asn1 } = forge;
type Asn1 = forge.asn1.Asn1;

const OID = {
  basicResponse: '1.3.6.1.5.5.7.48.1.1',
  nonce: '1.3.6.1.5.5.7.48.1.2',
  sha1: '1.3.14.3.2.26',
  sha256WithRsa: '1.2.840.113549.1.1.11',
} as const;

export interface OcspInput {
  /** The certificate whose status is reported, and the CA that issued it. */
  subject: Issued;
  issuer: Issued;
  /** Signs the response; its certificate travels in `certs`. */
  responder: Issued;
  /** completionData.signature, the base64 string the nonce is derived from. */
  signature: string;
  now: number;
  /** Default `good`; `revoked` (revoked now, reason unspecified) lets tests see a verifier refuse it. */
  status?: 'good' | 'revoked';
}

/** DER of the OCSPResponse, base64-encoded as completionData carries it. */
export function buildOcspResponse(input: OcspInput): string {
  const now = new Date(input.now);
  const nonce = Buffer.concat([createHash('sha1').update(input.signature, 'utf8').digest(), randomBytes(12)]);
  const tbsResponseData = seq(
    explicit(2, octets(sha1(rsaPublicKey(input.responder)))), // responderID byKey
    generalizedTime(now),
    seq(singleResponse(input, now)),
    // The extension value holds the 32 nonce bytes directly, as BankID's responses do (pybankid reads it so).
    explicit(1, seq(seq(oid(OID.nonce), octets(nonce)))),
  );
  const tbsDer = der(tbsResponseData);
  const signature = sign('sha256', tbsDer, input.responder.keyPem);
  const basic = seq(
    tbsResponseData,
    seq(oid(OID.sha256WithRsa), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\0${signature.toString('binary')}`),
    explicit(0, seq(asn1.fromDer(certificateDer(input.responder).toString('binary')))),
  );
  const response = seq(
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.ENUMERATED, false, '\0'), // successful
    explicit(0, seq(oid(OID.basicResponse), octets(der(basic)))),
  );
  return der(response).toString('base64');
}

function singleResponse(input: OcspInput, now: Date): Asn1 {
  const certId = seq(
    seq(oid(OID.sha1), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')),
    octets(sha1(issuerNameDer(input.subject))),
    octets(sha1(rsaPublicKey(input.issuer))),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, forge.util.hexToBytes(input.subject.cert.serialNumber)),
  );
  const status = input.status === 'revoked'
    ? asn1.create(asn1.Class.CONTEXT_SPECIFIC, 1, true, [generalizedTime(now)])
    : asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, '');
  return seq(certId, status, generalizedTime(now));
}

/** The issuer Name exactly as encoded in the subject certificate: CertID hashes those bytes. */
function issuerNameDer(subject: Issued): Buffer {
  const certificate = asn1.fromDer(certificateDer(subject).toString('binary'));
  const tbs = (certificate.value as Asn1[])[0]!.value as Asn1[];
  const hasVersion = tbs[0]!.tagClass === asn1.Class.CONTEXT_SPECIFIC;
  return der(tbs[hasVersion ? 3 : 2]!);
}

/** The subjectPublicKey bits (RSAPublicKey DER): what CertID's issuerKeyHash and responderID hash. */
function rsaPublicKey(issued: Issued): Buffer {
  return createPublicKey(issued.certPem).export({ type: 'pkcs1', format: 'der' });
}

function certificateDer(issued: Issued): Buffer {
  return new X509Certificate(issued.certPem).raw;
}

function seq(...items: Asn1[]): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
}

function explicit(tag: number, item: Asn1): Asn1 {
  return asn1.create(asn1.Class.CONTEXT_SPECIFIC, tag, true, [item]);
}

function oid(value: string): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(value).getBytes());
}

function octets(bytes: Buffer): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bytes.toString('binary'));
}

function generalizedTime(date: Date): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));
}

function sha1(bytes: Buffer): Buffer {
  return createHash('sha1').update(bytes).digest();
}

function der(item: Asn1): Buffer {
  return Buffer.from(asn1.toDer(item).getBytes(), 'binary');
}
