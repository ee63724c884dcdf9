/**
 * The XML-DSig part of completionData.signature (rp-api-v6.md §9): the two references (`#bidSignedData`,
 * `#bidKeyInfo`) and the RSA signature over SignedInfo with the first KeyInfo certificate. The document is parsed
 * once and walked directly (xml-crypto's checkSignature parses it twice more and runs some fifteen XPath queries, a
 * third of a verification's CPU); xml-crypto's C14N canonicalizer and its ancestor-namespace rule make the bytes
 * that are hashed and verified. Only BankID's algorithms are accepted. What the application checks read (texts,
 * funcId, certificates) comes from the very elements those references cover.
 */
import { X509Certificate, createHash, verify } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { C14nCanonicalization } from 'xml-crypto';
import { findAncestorNsForElement } from 'xml-crypto/lib/utils.js';
import type { Outcomes } from './checks.ts';

const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
const BID_TYPES = 'http://www.bankid.com/signature/v1.0.0/types';
/** BankID's algorithms (rp-api-v6.md §9): inclusive C14N 1.0, RSA with SHA-256, SHA-256 digests. */
const C14N = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
/** The references BankID's signatures carry, with the check each one's digest answers to. */
const REFERENCES = { '#bidSignedData': 'signedDataDigest', '#bidKeyInfo': 'keyInfoDigest' } as const;
type ReferenceUri = keyof typeof REFERENCES;
/** The attributes an XML-DSig reference may name an element by (xml-crypto's idAttributes). */
const ID_ATTRIBUTES = new Set(['Id', 'ID', 'id']);

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
  const parsed = parse(Buffer.from(signatureBase64, 'base64').toString('utf8'));
  if (typeof parsed === 'string') {
    outcomes.fail('signatureFormat', parsed);
    return undefined;
  }
  outcomes.pass('signatureFormat');
  const { signedInfo, references, signatureValue, signedData, certificates } = parsed;

  // In SignedInfo's order; one whose digest differs stops the rest, as xml-crypto does.
  let failed = false;
  for (const reference of references) {
    const check = REFERENCES[reference.uri];
    if (failed) outcomes.skip(check, 'an earlier reference failed');
    else if (createHash('sha256').update(canonical(reference.target), 'utf8').digest().equals(reference.digest)) outcomes.pass(check);
    else {
      failed = true;
      outcomes.fail(check, 'the digest does not match the referenced element');
    }
  }
  if (failed) outcomes.skip('signatureValue', 'a reference failed');
  else outcomes.expect('signatureValue', ...signatureVerdict(canonical(signedInfo), certificates[0]!, signatureValue));
  return {
    certificates,
    funcId: text(child(child(signedData, BID_TYPES, 'clientInfo'), BID_TYPES, 'funcId')),
    userVisibleData: decoded(child(signedData, BID_TYPES, 'usrVisibleData')),
    userNonVisibleData: decoded(child(signedData, BID_TYPES, 'usrNonVisibleData')),
  };
}

/** RSA-SHA256 (PKCS #1 v1.5) over the canonical SignedInfo with the key of KeyInfo's first certificate. */
function signatureVerdict(signedInfo: string, signerDer: Buffer, signatureValue: Buffer): [boolean, string] {
  let key;
  try {
    key = new X509Certificate(signerDer).publicKey;
  } catch (err) {
    return [false, `the signer's certificate cannot be read: ${(err as Error).message}`];
  }
  // An EC key would verify ECDSA under the same digest name: RSA-SHA256 needs an RSA key.
  if (key.asymmetricKeyType !== 'rsa') return [false, `the signer's key is ${key.asymmetricKeyType}, not RSA`];
  return [verify('sha256', Buffer.from(signedInfo, 'utf8'), key, signatureValue), 'the signature value does not verify with the signer\'s key'];
}

/** Inclusive C14N of an element of the document, with the namespaces its ancestors put in scope. */
function canonical(element: Element): string {
  return new C14nCanonicalization().process(element, { ancestorNamespaces: findAncestorNsForElement(element) });
}

interface Reference {
  uri: ReferenceUri;
  target: Element;
  digest: Buffer;
}

interface Parsed {
  signedInfo: Element;
  references: Reference[];
  signatureValue: Buffer;
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
  const signedInfo = only(signature, DSIG, 'SignedInfo');
  const referenceElements = children(signedInfo, DSIG, 'Reference');
  const uris = referenceElements.map((r) => r.getAttribute('URI'));
  if (uris.length !== 2 || !Object.keys(REFERENCES).every((uri) => uris.includes(uri))) return 'SignedInfo does not reference exactly #bidSignedData and #bidKeyInfo';
  if (algorithm(signedInfo, 'CanonicalizationMethod') !== C14N || algorithm(signedInfo, 'SignatureMethod') !== RSA_SHA256) {
    return 'SignedInfo is not canonicalized with C14N 1.0 or not signed with RSA-SHA256';
  }
  const targets = idTargets(doc);
  if (typeof targets === 'string') return targets;
  const references: Reference[] = [];
  for (const element of referenceElements) {
    const uri = element.getAttribute('URI') as ReferenceUri;
    const transforms = children(only(element, DSIG, 'Transforms'), DSIG, 'Transform');
    if (transforms.length !== 1 || transforms[0]!.getAttribute('Algorithm') !== C14N || algorithm(element, 'DigestMethod') !== SHA256) {
      return `the reference ${uri} is not a C14N 1.0 transform with a SHA-256 digest`;
    }
    const digest = text(only(element, DSIG, 'DigestValue'));
    const target = targets.get(uri.slice(1));
    if (!digest || !target) return `the reference ${uri} has no digest value or no element it points to`;
    references.push({ uri, target, digest: Buffer.from(digest, 'base64') });
  }
  const signatureValue = text(only(signature, DSIG, 'SignatureValue'));
  if (!signatureValue) return 'no single SignatureValue';
  const signedData = Array.from(doc.getElementsByTagNameNS(BID_TYPES, 'bankIdSignedData') as ArrayLike<Element>);
  if (signedData.length !== 1 || signedData[0]!.getAttribute('Id') !== 'bidSignedData' || targets.get('bidSignedData') !== signedData[0]) {
    return 'no single bankIdSignedData element with Id="bidSignedData"';
  }
  const keyInfo = child(signature, DSIG, 'KeyInfo');
  if (keyInfo?.getAttribute('Id') !== 'bidKeyInfo' || targets.get('bidKeyInfo') !== keyInfo) return 'no KeyInfo with Id="bidKeyInfo"';
  const certificates = children(child(keyInfo, DSIG, 'X509Data'), DSIG, 'X509Certificate').map((c) => Buffer.from(text(c) ?? '', 'base64'));
  if (certificates.length === 0 || certificates.some((c) => c.length === 0)) return 'KeyInfo holds no certificates';
  return { signedInfo: signedInfo!, references, signatureValue: Buffer.from(signatureValue, 'base64'), signedData: signedData[0]!, certificates };
}

/**
 * The element each referenced id names, in one walk of the document. An id on two elements is refused outright,
 * whichever attribute spells it: a second element could stand in for the signed one (signature wrapping).
 */
function idTargets(doc: Document): Map<string, Element> | string {
  const ids = new Set(Object.keys(REFERENCES).map((uri) => uri.slice(1)));
  const found = new Map<string, Element>();
  const pending: Element[] = [doc.documentElement!];
  for (let element = pending.pop(); element; element = pending.pop()) {
    for (const attribute of Array.from(element.attributes as ArrayLike<Attr>)) {
      if (!ID_ATTRIBUTES.has(attribute.localName ?? '') || !ids.has(attribute.value)) continue;
      if (found.has(attribute.value)) return `refused: more than one element has the same value for the ID, Id or id attribute (${attribute.value}), as in signature wrapping`;
      found.set(attribute.value, element);
    }
    for (const node of Array.from(element.childNodes as ArrayLike<Node>)) if (node.nodeType === 1) pending.push(node as Element);
  }
  return found;
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

/** The child when there is exactly one. */
function only(parent: Element | undefined, ns: string, name: string): Element | undefined {
  const found = children(parent, ns, name);
  return found.length === 1 ? found[0] : undefined;
}

/** The Algorithm of the single DSIG child `name`. */
function algorithm(parent: Element | undefined, name: string): string | null | undefined {
  return only(parent, DSIG, name)?.getAttribute('Algorithm');
}

function text(element: Element | undefined): string | undefined {
  return element?.textContent?.trim() ?? undefined;
}

function decoded(element: Element | undefined): Buffer | undefined {
  const value = text(element);
  return value === undefined ? undefined : Buffer.from(value, 'base64');
}
