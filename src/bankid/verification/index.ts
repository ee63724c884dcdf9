/**
 * Verifies a BankID completion before it is trusted (rp-api-v6.md §9): the XML signature, the chain to a configured
 * BankID user root, what was signed against what the order sent, and the OCSP response. Knows nothing of OIDC or
 * storage: the caller says what it expects and gets every check's outcome back. What is the same for every
 * completion (the BankID CAs, their verified links) is kept between completions (cache.ts).
 */
import type { CompletionData, Operation } from '../types.ts';
import { VerificationCache } from './cache.ts';
import { checkChain, parseCertificate } from './chain.ts';
import { Outcomes, type VerificationResult } from './checks.ts';
import { FUNC_ID } from './function-id.ts';
import { checkOcsp } from './ocsp.ts';
import { sentDataDigest } from './sent-data.ts';
import { readSigner } from './signer.ts';
import { checkXmlSignature } from './xml-signature.ts';

export { CHECKS, type CheckName, type CheckOutcome, type VerificationResult } from './checks.ts';
export { FUNC_ID } from './function-id.ts';
export { sentDataDigest, type SentData } from './sent-data.ts';

/** What the checks read of a completion; a relying party holding only the signature, OCSP response and personal number can check it too. */
export type VerifiableCompletion = Pick<CompletionData, 'signature' | 'ocspResponse'> & { user: Pick<CompletionData['user'], 'personalNumber'> };

export interface ExpectedCompletion {
  operation: Operation;
  /** `sentDataDigest` of the texts the order was started with. */
  sentDataDigest: string;
}

export interface CompletionVerifierOptions {
  /** PEM text holding the BankID user root certificate(s) the signer's chain must end in. */
  userRootsPem: string;
  /** The moment certificates must be valid at; default now. */
  now?: () => Date;
}

export class CompletionVerifier {
  readonly #roots;
  readonly #now: () => Date;
  readonly #cache = new VerificationCache();

  constructor(options: CompletionVerifierOptions) {
    const blocks = options.userRootsPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    if (blocks.length === 0) throw new Error('no certificate in the BankID user root PEM');
    this.#roots = blocks.map((pem) => parseCertificate(Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64')));
    this.#now = options.now ?? (() => new Date());
  }

  async verify(completion: VerifiableCompletion, expected: ExpectedCompletion): Promise<VerificationResult> {
    const outcomes = new Outcomes();
    const content = checkXmlSignature(completion.signature, outcomes);
    if (!content) return outcomes.result();

    let signer, cas;
    try {
      // The signer is new with each person; the CAs after it are the same few every time.
      signer = readSigner(content.certificates[0]!);
      cas = content.certificates.slice(1).map((der) => this.#cache.certificate(der));
    } catch (err) {
      outcomes.fail('certificateChain', `a KeyInfo certificate cannot be read: ${(err as Error).message}`);
      return outcomes.result();
    }
    const at = this.#now();
    await checkChain(signer, cas, this.#roots, at, outcomes, this.#cache);
    outcomes.expect('sentData', sentDataDigest(content) === expected.sentDataDigest, 'usrVisibleData or usrNonVisibleData differs from what the order sent');
    const funcId = FUNC_ID[expected.operation];
    outcomes.expect('function', content.funcId === funcId, `funcId is ${content.funcId ?? 'missing'}, expected ${funcId}`);
    outcomes.expect('personalNumber', signer.personalNumber === completion.user.personalNumber, 'user.personalNumber differs from the certificate\'s serialNumber');
    const issuer = cas[0];
    if (issuer) await checkOcsp(completion.ocspResponse, { signer, issuer, signatureBase64: completion.signature, at }, outcomes, this.#cache);
    else outcomes.fail('ocspSignature', 'KeyInfo holds no issuing CA to check the OCSP response against');
    return outcomes.result();
  }
}
