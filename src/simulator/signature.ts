/**
 * The XML-DSig enveloping signature of completionData (rp-api-v6.md §9), built as BankID serializes it.
 * Every element is written in its canonical (C14N 1.0) form — start and end tags, attributes in canonical
 * order, namespace declarations made explicit on the signed elements — so a verifier can hash the
 * `<bankIdSignedData>` and `<KeyInfo>` text and check the RSA signature over the `<SignedInfo>` text as is.
 */
import { X509Certificate, createHash, randomBytes, sign } from 'node:crypto';
import type { Operation } from '../bankid/types.ts';
import { FUNC_ID } from '../bankid/verification/function-id.ts';
import { USER_CERT_POLICY } from './certs.ts';
import type { Issued } from './pki.ts';

const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
const BID_TYPES = 'http://www.bankid.com/signature/v1.0.0/types';
const C14N = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';


export interface SignatureInput {
  operation: Operation;
  /** base64, exactly as the RP sent them. */
  userVisibleData?: string;
  userNonVisibleData?: string;
  certificatePolicies?: string[];
  /** The RP: `srvInfo/name` and `srvInfo/displayName`, in clear text (they are base64-encoded here). */
  rpName: string;
  rpDisplayName: string;
  uhi: string;
  signer: Issued;
  /** Issuing CAs of the signer, nearest first; the root is left out, as BankID does. */
  chain: Issued[];
  now: number;
}

/** The signature document as a UTF-8 string; completionData carries it base64-encoded. */
export function buildSignature(input: SignatureInput): string {
  const signedData = element('bankIdSignedData', { xmlns: BID_TYPES, Id: 'bidSignedData' },
    input.userVisibleData ? element('usrVisibleData', { charset: 'UTF-8', visible: 'wysiwys' }, input.userVisibleData) : '',
    input.userNonVisibleData ? element('usrNonVisibleData', {}, input.userNonVisibleData) : '',
    element('srvInfo', {},
      element('name', {}, base64(input.rpName)),
      element('nonce', {}, randomBytes(20).toString('base64')),
      element('displayName', {}, base64(input.rpDisplayName))),
    clientInfo(input));
  const keyInfo = element('KeyInfo', { xmlns: DSIG, Id: 'bidKeyInfo' },
    element('X509Data', {}, ...[input.signer, ...input.chain].map((c) => element('X509Certificate', {}, derBase64(c)))));
  const signedInfo = element('SignedInfo', { xmlns: DSIG },
    element('CanonicalizationMethod', { Algorithm: C14N }),
    element('SignatureMethod', { Algorithm: RSA_SHA256 }),
    reference('#bidSignedData', signedData, BID_TYPES),
    reference('#bidKeyInfo', keyInfo));
  const signatureValue = sign('sha256', Buffer.from(signedInfo.xml, 'utf8'), input.signer.keyPem).toString('base64');
  const signature = element('Signature', { xmlns: DSIG }, signedInfo, element('SignatureValue', {}, signatureValue), keyInfo, element('Object', {}, signedData));
  return `<?xml version="1.0" encoding="UTF-8" standalone="no"?>${signature.xml}`;
}

function clientInfo(input: SignatureInput): Xml {
  const bestBefore = Math.floor(input.now / 1000) + 30 * 24 * 60 * 60;
  const version = `Personal=8.0.0&BankID_exe=8.0.0&BISP=8.0.0&platform=ios&os_version=17.5&display_version=&uhi=${input.uhi}&best_before=${bestBefore}&`;
  const policies = input.certificatePolicies ?? [USER_CERT_POLICY];
  return element('clientInfo', {},
    element('funcId', {}, FUNC_ID[input.operation]),
    element('version', {}, base64(version)),
    element('env', {}, element('ai', {},
      element('type', {}, base64('IOS')),
      element('deviceInfo', {}, base64('17.5')),
      element('uhi', {}, input.uhi),
      element('fsib', {}, '0'),
      element('utb', {}, 'cs1'),
      element('requirement', {}, element('condition', {},
        element('type', {}, 'CertificatePolicies'),
        ...policies.map((p) => element('value', {}, p)))),
      element('uauth', {}, 'pw'))));
}

function reference(uri: string, target: Xml, type?: string): Xml {
  return element('Reference', type ? { Type: type, URI: uri } : { URI: uri },
    element('Transforms', {}, element('Transform', { Algorithm: C14N })),
    element('DigestMethod', { Algorithm: SHA256 }),
    element('DigestValue', {}, createHash('sha256').update(target.xml, 'utf8').digest('base64')));
}

/** Serialized markup; plain strings given as children are text and get escaped. */
interface Xml {
  readonly xml: string;
}

/** One element in canonical form: `xmlns` first, other attributes sorted by name, no self-closing tags. */
function element(name: string, attributes: Record<string, string>, ...children: (Xml | string)[]): Xml {
  const names = Object.keys(attributes).sort((a, b) => Number(b === 'xmlns') - Number(a === 'xmlns') || (a < b ? -1 : a > b ? 1 : 0));
  const attrs = names.map((n) => ` ${n}="${escapeAttribute(attributes[n]!)}"`).join('');
  const content = children.map((c) => (typeof c === 'string' ? escapeText(c) : c.xml)).join('');
  return { xml: `<${name}${attrs}>${content}</${name}>` };
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;');
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;')
    .replace(/\t/g, '&#x9;').replace(/\n/g, '&#xA;').replace(/\r/g, '&#xD;');
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

function derBase64(issued: Issued): string {
  return new X509Certificate(issued.certPem).raw.toString('base64');
}
