/**
 * Which RP certificates BankID accepts. Every certificate that chains to the simulator's RP CA is registered
 * unless the control API marked it otherwise; BankID answers a certificate it does not accept with
 * `unauthorized` (rp-api-v6.md §4, §11): 403 for one that is not registered, 401 for one that is revoked.
 */
import { ControlError, RpApiError } from './errors.ts';

export const RP_STATUSES = ['registered', 'unregistered', 'revoked'] as const;
export type RpStatus = (typeof RP_STATUSES)[number];

/** Marked certificates kept at most; the registry is test state, not a store. */
const MAX_MARKED = 1000;

export class RpRegistry {
  private readonly marked = new Map<string, Exclude<RpStatus, 'registered'>>();

  set(fingerprint: string, status: RpStatus): { fingerprint: string; status: RpStatus } {
    const key = normalizeFingerprint(fingerprint);
    this.marked.delete(key);
    if (status !== 'registered') {
      if (this.marked.size >= MAX_MARKED) throw new ControlError(`at most ${MAX_MARKED} certificates can be marked`, 409);
      this.marked.set(key, status);
    }
    return { fingerprint: key, status };
  }

  list(): { fingerprint: string; status: RpStatus }[] {
    return [...this.marked].map(([fingerprint, status]) => ({ fingerprint, status }));
  }

  clear(): void {
    this.marked.clear();
  }

  /** Throws BankID's answer for a certificate it does not accept. */
  check(fingerprint: string): void {
    const status = this.marked.get(fingerprint);
    if (status === 'unregistered') throw new RpApiError(403, 'unauthorized', 'The RP certificate is not registered');
    if (status === 'revoked') throw new RpApiError(401, 'unauthorized', 'The RP certificate is revoked');
  }
}

/** Lower-case hex without separators, the form RpCertificate.fingerprint and order summaries use. */
function normalizeFingerprint(text: string): string {
  const hex = text.replaceAll(':', '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new ControlError('fingerprint must be a SHA-256 in hex (64 digits, colons allowed)');
  return hex;
}
