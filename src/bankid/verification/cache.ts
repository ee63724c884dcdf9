/**
 * What is the same for every completion, kept between them (issue 7): the few BankID CAs and OCSP responders, parsed
 * once by their DER bytes; the certificate signatures that verified; and the CA paths pkijs validated (chain.ts).
 * Only passes are remembered, each under the bytes it was decided on: a signature under a digest of every byte its
 * verification read (signed data, signature, key, algorithms), a path under the DER of the KeyInfo CAs. A changed
 * byte is a miss that is checked afresh, and a failure leaves nothing behind. Validity windows, revocation and the
 * person's own certificate are checked on every completion.
 */
import { X509Certificate, createHash, type KeyObject } from 'node:crypto';
import type * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { Lru } from '../../cache/lru.ts';

/** Far more than the BankID CAs and responders in use; the person certificates they sign come and go. */
const MAX_ENTRIES = 256;

/** A CA or responder certificate as the checks read it. Shared between completions: never to be changed. */
export interface CachedCertificate {
  der: Buffer;
  parsed: pkijs.Certificate;
  x509: X509Certificate;
  publicKey: KeyObject;
}

/** One verifier's cache: what it remembers holds for that verifier's roots only. */
export class VerificationCache {
  readonly #certificates = new Lru<CachedCertificate>(MAX_ENTRIES);
  readonly #paths = new Lru<pkijs.Certificate[]>(MAX_ENTRIES);
  /** Verifies certificate signatures with pkijs, remembering the ones that passed. */
  readonly crypto: pkijs.ICryptoEngine = new RememberingCrypto(new Lru<true>(MAX_ENTRIES));

  /** Parsed on first sight; throws when the bytes are no certificate (and keeps nothing). */
  certificate(der: Buffer): CachedCertificate {
    const key = digest([der]);
    let certificate = this.#certificates.get(key);
    if (!certificate) {
      const copy = Buffer.from(der);
      const x509 = new X509Certificate(copy);
      certificate = { der: copy, parsed: pkijs.Certificate.fromBER(new Uint8Array(copy)), x509, publicKey: x509.publicKey };
      this.#certificates.set(key, certificate);
    }
    return certificate;
  }

  /** The CA path pkijs validated above these KeyInfo CAs (the issuer first, a root last), when it did. */
  path(cas: CachedCertificate[]): pkijs.Certificate[] | undefined {
    return this.#paths.get(digest(cas.map((ca) => ca.der)));
  }

  rememberPath(cas: CachedCertificate[], path: pkijs.Certificate[]): void {
    this.#paths.set(digest(cas.map((ca) => ca.der)), path);
  }
}

class RememberingCrypto extends pkijs.CryptoEngine {
  readonly #passed: Lru<true>;

  constructor(passed: Lru<true>) {
    super({ name: 'remembering', crypto: globalThis.crypto });
    this.#passed = passed;
  }

  override async verifyWithPublicKey(data: BufferSource, signature: asn1js.BitString | asn1js.OctetString, publicKeyInfo: pkijs.PublicKeyInfo,
    signatureAlgorithm: pkijs.AlgorithmIdentifier, shaAlgorithm?: string): Promise<boolean> {
    const key = digest([
      bytesOf(data), signature.valueBlock.valueHexView, publicKeyInfo.subjectPublicKey.valueBlock.valueHexView,
      ...algorithmBytes(publicKeyInfo.algorithm), ...algorithmBytes(signatureAlgorithm), Buffer.from(shaAlgorithm ?? ''),
    ]);
    if (this.#passed.get(key)) return true;
    const valid = await super.verifyWithPublicKey(data, signature, publicKeyInfo, signatureAlgorithm, shaAlgorithm);
    if (valid) this.#passed.set(key, true);
    return valid;
  }
}

function algorithmBytes(algorithm: pkijs.AlgorithmIdentifier): Uint8Array[] {
  const params = algorithm.algorithmParams as asn1js.BaseBlock | undefined;
  return [Buffer.from(algorithm.algorithmId), params ? new Uint8Array(params.toBER()) : new Uint8Array()];
}

function bytesOf(data: BufferSource): Uint8Array {
  return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
}

/** SHA-256 over the parts, each with its length first, so no two different lists of parts read alike. */
function digest(parts: Uint8Array[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(Buffer.from(Uint32Array.of(part.byteLength).buffer)).update(part);
  return hash.digest('base64');
}
