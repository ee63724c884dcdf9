/** The checks a BankID completion passes before it is trusted (rp-api-v6.md §9), in the order they run. */
export const CHECKS = [
  'signatureFormat', 'signedDataDigest', 'keyInfoDigest', 'signatureValue', 'certificateChain',
  'sentData', 'function', 'personalNumber', 'ocspSignature', 'ocspStatus', 'ocspNonce',
] as const;

export type CheckName = (typeof CHECKS)[number];

/** `skipped`: its input could not be trusted or read because an earlier check failed. */
export type CheckOutcome = { check: CheckName; outcome: 'passed' } | { check: CheckName; outcome: 'failed' | 'skipped'; reason: string };

export interface VerificationResult {
  ok: boolean;
  /** Every check, in `CHECKS` order. */
  checks: CheckOutcome[];
  /** The checks that failed, in order; empty when `ok`. */
  failed: CheckName[];
}

/** Collects outcomes by name; `result()` lists every check, those never reached as skipped. */
export class Outcomes {
  readonly #byName = new Map<CheckName, CheckOutcome>();

  pass(check: CheckName): void {
    this.#byName.set(check, { check, outcome: 'passed' });
  }

  fail(check: CheckName, reason: string): void {
    this.#byName.set(check, { check, outcome: 'failed', reason });
  }

  skip(check: CheckName, reason: string): void {
    this.#byName.set(check, { check, outcome: 'skipped', reason });
  }

  /** Passes when `ok`, fails with `reason` otherwise. */
  expect(check: CheckName, ok: boolean, reason: string): boolean {
    if (ok) this.pass(check);
    else this.fail(check, reason);
    return ok;
  }

  result(): VerificationResult {
    const checks = CHECKS.map((check) => this.#byName.get(check) ?? { check, outcome: 'skipped' as const, reason: 'not reached' });
    const failed = checks.filter((c) => c.outcome === 'failed').map((c) => c.check);
    return { ok: failed.length === 0 && checks.every((c) => c.outcome === 'passed'), checks, failed };
  }
}
