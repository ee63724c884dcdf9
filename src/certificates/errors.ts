import { BrokerError } from '../errors/catalogue.ts';
import type { CertificateProblem } from '../bankid/errors.ts';

/** Why an uploaded certificate was refused: the file itself, or what BankID (or the broker) made of it. */
export type RejectionReason = CertificateProblem | 'wrong-environment' | 'unknown-issuer' | 'refused-by-bankid' | 'bankid-unreachable' | 'already-stored';

/** An uploaded certificate that cannot be used; the message is written for the admin who uploaded it. */
export class CertificateRejectedError extends BrokerError {
  readonly reason: RejectionReason;

  constructor(reason: RejectionReason, message: string, options: { cause?: unknown } = {}) {
    super('certificate_rejected', message, options);
    this.reason = reason;
  }
}
