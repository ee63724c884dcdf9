/**
 * Retry on the next tick, or give up: how a caller (a collect loop, say) sorts a failed call.
 * Transient: BankID or the way to it may answer next time, and nothing is known to be wrong with the order.
 * Permanent: our own request or certificate, or BankID's verdict on this request; repeating changes nothing.
 */
import { BankIdAbortedError, BankIdError, BankIdTransportError, MaintenanceError, RequestTimeoutError } from './errors.ts';

export function isTransient(err: unknown): boolean {
  // Connection reset or refused, timeout, a proxy's 5xx, an oversized answer.
  if (err instanceof BankIdTransportError) return true;
  // The caller's deadline ran out (a lease shorter than the call, say): the order itself is untouched.
  if (err instanceof BankIdAbortedError) return true;
  if (err instanceof BankIdError) {
    // maintenance reaches the caller only after its retries; requestTimeout is about transmission, not the order.
    return err instanceof MaintenanceError || err instanceof RequestTimeoutError || err.status >= 500;
  }
  // BankIdRequestError, CertificateError and anything unexpected (a bug) will fail again the same way.
  return false;
}
