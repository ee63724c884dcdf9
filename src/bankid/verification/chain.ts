/**
 * The signer's certificate chain, from KeyInfo's certificates to a configured BankID user root, validated by pkijs.
 * Once pkijs has validated a chain, the CA part of it (the issuer up to the root) is remembered for those KeyInfo
 * CAs; a later signer under the same CAs is checked on its own (issued and signed by the remembered issuer, valid
 * now, with every remembered CA valid now too). Anything else takes pkijs's full path, whose verdict is the answer.
 */
import * as pkijs from 'pkijs';
import type { CachedCertificate, VerificationCache } from './cache.ts';
import type { Outcomes } from './checks.ts';
import type { SignerCertificate } from './signer.ts';

/**
 * Extensions that make pkijs's verdict on a chain depend on the certificate below a CA (name constraints, policy
 * mappings, policy constraints, inhibit anyPolicy): a chain carrying one always takes the full path.
 */
const CONSTRAINTS = new Set(['2.5.29.30', '2.5.29.33', '2.5.29.36', '2.5.29.54']);

export function parseCertificate(der: Uint8Array): pkijs.Certificate {
  return pkijs.Certificate.fromBER(new Uint8Array(der));
}

/** `cas` are KeyInfo's certificates after the signer, its issuer first. */
export async function checkChain(signer: SignerCertificate, cas: CachedCertificate[], roots: pkijs.Certificate[], at: Date,
  outcomes: Outcomes, cache: VerificationCache): Promise<void> {
  if (underKnownPath(signer, cas, at, cache)) {
    outcomes.pass('certificateChain');
    return;
  }
  let parsedSigner;
  try {
    parsedSigner = parseCertificate(signer.der);
  } catch (err) {
    outcomes.fail('certificateChain', `pkijs cannot read the signer's certificate: ${(err as Error).message}`);
    return;
  }
  // pkijs validates the *last* certificate it is given: the signer goes last, or only a CA would be checked.
  const certs = [...cas.map((ca) => ca.parsed), parsedSigner];
  const engine = new pkijs.CertificateChainValidationEngine({ trustedCerts: roots, certs, checkDate: at });
  const verdict = await engine.verify({}, cache.crypto);
  outcomes.expect('certificateChain', verdict.result, `no valid chain to a BankID user root: ${verdict.resultMessage}`);
  const path = verdict.certificatePath?.slice(1) ?? [];
  if (verdict.result && cas[0] && path[0] === cas[0].parsed && !path.some(constrained)) cache.rememberPath(cas, path);
}

function underKnownPath(signer: SignerCertificate, cas: CachedCertificate[], at: Date, cache: VerificationCache): boolean {
  const issuer = cas[0];
  const path = issuer && cache.path(cas);
  if (!issuer || !path || signer.extensionIds.some((id) => CONSTRAINTS.has(id))) return false;
  const { x509 } = signer;
  return x509.validFromDate <= at && at <= x509.validToDate && path.every((ca) => ca.notBefore.value <= at && at <= ca.notAfter.value)
    && x509.checkIssued(issuer.x509) && x509.verify(issuer.publicKey);
}

function constrained(certificate: pkijs.Certificate): boolean {
  return certificate.extensions?.some((e) => CONSTRAINTS.has(e.extnID)) ?? false;
}
