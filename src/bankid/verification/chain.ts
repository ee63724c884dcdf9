/** The signer's certificate chain, from KeyInfo's certificates to a configured BankID user root, with pkijs. */
import * as pkijs from 'pkijs';
import type { Outcomes } from './checks.ts';

export function parseCertificate(der: Uint8Array): pkijs.Certificate {
  return pkijs.Certificate.fromBER(new Uint8Array(der));
}

/** `chain` is KeyInfo's order, the signer first; `crypto` verifies the certificate signatures. */
export async function checkChain(chain: pkijs.Certificate[], roots: pkijs.Certificate[], at: Date, outcomes: Outcomes, crypto: pkijs.ICryptoEngine): Promise<void> {
  // pkijs validates the *last* certificate it is given: the signer goes last, or only a CA would be checked.
  const certs = [...chain.slice(1), chain[0]!];
  const engine = new pkijs.CertificateChainValidationEngine({ trustedCerts: roots, certs, checkDate: at });
  const verdict = await engine.verify({}, crypto);
  outcomes.expect('certificateChain', verdict.result, `no valid chain to a BankID user root: ${verdict.resultMessage}`);
}

/** The subject's serialNumber (2.5.4.5): a BankID user certificate's personal number. */
export function subjectSerialNumber(certificate: pkijs.Certificate): string | undefined {
  const attribute = certificate.subject.typesAndValues.find((t) => t.type === '2.5.4.5');
  return attribute?.value.valueBlock.value as string | undefined;
}
