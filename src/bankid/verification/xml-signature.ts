/**
 * The XML-DSig part of completionData.signature (rp-api-v6.md §9), checked with xml-crypto: the two references
 * (`#bidSignedData`, `#bidKeyInfo`) and the RSA signature over SignedInfo with the first KeyInfo certificate. What
 * the application checks read (texts, funcId, certificates) comes from the very elements those references cover.
 */
import { X509Certificate } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import type { Outcomes } from './checks.ts';

const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
const BID_TYPES = 'http://www.bankid.com/signature/v1.0.0/types';
/** The references BankID's signatures carry, with the check each one's digest answers to. */
const REFERENCES = { '#bidSignedData': 'signedDataDigest', '#bidKeyInfo': 'keyInfoDigest' } as const;

export interface SignatureContent {
  /** DER certificates of KeyInfo, the signer first; BankID leaves the root out. */
  certificates: Buffer[];
  funcId: string | undefined;
  /** Decoded bytes of `usrVisibleData` / `usrNonVisibleData`, when present. */
  userVisibleData: Buffer | undefined;
  userNonVisibleData: Buffer | undefined;
}

/** Checks the digests and the signature value; returns what the signature holds, or undefined when it cannot be read. */
export function checkXmlSignature(signatureBase64: string, outcomes: Outcomes): SignatureContent | undefined {
  const xml = Buffer.from(signatureBase64, 'base64').toString('utf8');
  const parsed = parse(xml);
  if (typeof parsed === 'string') {
    outcomes.fail('signatureFormat', parsed);
    return undefined;
  }
  outcomes.pass('signatureFormat');
  const { signature, signedData, certificates } = parsed;

  const signed = new SignedXml({ publicCert: new X509Certificate(certificates[0]!).publicKey, getCertFromKeyInfo: () => null });
  signed.loadSignature(signature);
  try {
    // false: a reference failed (its validationError says which); throws: the signature value is wrong.
    if (signed.checkSignature(xml)) {
      for (const check of Object.values(REFERENCES)) outcomes.pass(check);
      outcomes.pass('signatureValue');
    } else {
      referenceOutcomes(signed, outcomes);
    }
  } catch (err) {
    const message = (err as Error).message;
    if (message.startsWith('invalid signature: the signature value')) {
      for (const check of Object.values(REFERENCES)) outcomes.pass(check);
      outcomes.fail('signatureValue', 'the signature value does not verify with the signer\'s key');
    } else {
      // Refused before any digest was compared, e.g. two elements with one Id (signature wrapping).
      outcomes.fail('signatureFormat', `refused by xml-crypto: ${message}`);
      for (const check of [...Object.values(REFERENCES), 'signatureValue'] as const) outcomes.skip(check, 'the signature was refused');
    }
  }
  return {
    certificates,
    funcId: text(child(child(signedData, BID_TYPES, 'clientInfo'), BID_TYPES, 'funcId')),
    userVisibleData: decoded(child(signedData, BID_TYPES, 'usrVisibleData')),
    userNonVisibleData: decoded(child(signedData, BID_TYPES, 'usrNonVisibleData')),
  };
}

/** xml-crypto stops at the first reference whose digest differs: the ones before it passed, the ones after were not run. */
function referenceOutcomes(signed: SignedXml, outcomes: Outcomes): void {
  let failed = false;
  for (const reference of signed.getReferences()) {
    const check = REFERENCES[reference.uri as keyof typeof REFERENCES];
    if (failed) outcomes.skip(check, 'an earlier reference failed');
    else if (reference.validationError) {
      failed = true;
      outcomes.fail(check, 'the digest does not match the referenced element');
    } else outcomes.pass(check);
  }
  outcomes.skip('signatureValue', 'a reference failed');
}

interface Parsed {
  signature: Element;
  signedData: Element;
  certificates: Buffer[];
}

/** BankID's shape, strictly: a root Signature with exactly its two references, one signed-data element, one KeyInfo. */
function parse(xml: string): Parsed | string {
  let doc: Document;
  try {
    doc = new DOMParser({ errorHandler: { warning: () => {}, error: fatal, fatalError: fatal } }).parseFromString(xml, 'text/xml');
  } catch (err) {
    return `not well-formed XML: ${(err as Error).message.split('\n')[0]}`;
  }
  const signature = doc.documentElement;
  if (!signature || signature.namespaceURI !== DSIG || signature.localName !== 'Signature') return 'the root element is not a ds:Signature';
  const signedInfo = child(signature, DSIG, 'SignedInfo');
  const uris = signedInfo ? children(signedInfo, DSIG, 'Reference').map((r) => r.getAttribute('URI')) : [];
  if (uris.length !== 2 || !Object.keys(REFERENCES).every((uri) => uris.includes(uri))) return 'SignedInfo does not reference exactly #bidSignedData and #bidKeyInfo';
  const signedData = Array.from(doc.getElementsByTagNameNS(BID_TYPES, 'bankIdSignedData') as ArrayLike<Element>);
  if (signedData.length !== 1 || signedData[0]!.getAttribute('Id') !== 'bidSignedData') return 'no single bankIdSignedData element with Id="bidSignedData"';
  const keyInfo = child(signature, DSIG, 'KeyInfo');
  if (keyInfo?.getAttribute('Id') !== 'bidKeyInfo') return 'no KeyInfo with Id="bidKeyInfo"';
  const certificates = children(child(keyInfo, DSIG, 'X509Data'), DSIG, 'X509Certificate').map((c) => Buffer.from(text(c) ?? '', 'base64'));
  if (certificates.length === 0 || certificates.some((c) => c.length === 0)) return 'KeyInfo holds no certificates';
  return { signature, signedData: signedData[0]!, certificates };
}

function fatal(message: string): never {
  throw new Error(message);
}

function children(parent: Element | undefined, ns: string, name: string): Element[] {
  if (!parent) return [];
  return Array.from(parent.childNodes as ArrayLike<Node>).filter((n): n is Element => n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === name);
}

function child(parent: Element | undefined, ns: string, name: string): Element | undefined {
  return children(parent, ns, name)[0];
}

function text(element: Element | undefined): string | undefined {
  return element?.textContent?.trim() ?? undefined;
}

function decoded(element: Element | undefined): Buffer | undefined {
  const value = text(element);
  return value === undefined ? undefined : Buffer.from(value, 'base64');
}
