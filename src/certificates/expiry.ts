/**
 * Expiry warnings for RP certificates: at 60, 30, 14 and 7 days left, and once expired. A certificate is renewed
 * every two years through the RP's bank, which takes days to weeks, hence the early first warning.
 */
import type { Logger } from '../observability/logger.ts';

export const WARNING_DAYS = [60, 30, 14, 7] as const;
export type ExpiryLevel = (typeof WARNING_DAYS)[number] | 'expired';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Whole days left, rounded down; negative once expired. */
export function daysLeft(notAfter: Date, now: Date): number {
  return Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);
}

/** The smallest threshold the certificate is within, `expired` past notAfter, undefined when it has time. */
export function expiryLevel(notAfter: Date, now: Date): ExpiryLevel | undefined {
  if (notAfter <= now) return 'expired';
  const left = (notAfter.getTime() - now.getTime()) / DAY_MS;
  return [...WARNING_DAYS].reverse().find((days) => left <= days);
}

export interface WatchedCertificate {
  fingerprint: string;
  /** The tenant, or `settings` for the certificate from BANKID_CERT_FILE. */
  tenantId: string;
  subject: string;
  notAfter: Date;
  state: string;
}

export interface ExpiryWarning extends WatchedCertificate {
  level: ExpiryLevel;
  daysLeft: number;
}

const rank = (level: ExpiryLevel | undefined) => (level === undefined ? 0 : level === 'expired' ? 99 : 100 - level);

/**
 * Lists the certificates near or past expiry and logs each threshold crossing once per process (a warning, an error
 * once expired). The clock is injectable, so the thresholds are tested without waiting for them.
 */
export class ExpiryWatch {
  readonly #list: () => Promise<WatchedCertificate[]>;
  readonly #logger: Logger;
  readonly #now: () => Date;
  readonly #logged = new Map<string, ExpiryLevel>();
  #latest: ExpiryWarning[] = [];

  constructor(list: () => Promise<WatchedCertificate[]>, logger: Logger, now: () => Date = () => new Date()) {
    this.#list = list;
    this.#logger = logger;
    this.#now = now;
  }

  /** The warnings of the last check (for /readyz, which must not wait on anything). */
  get latest(): ExpiryWarning[] {
    return this.#latest;
  }

  async check(): Promise<ExpiryWarning[]> {
    const now = this.#now();
    const warnings: ExpiryWarning[] = [];
    for (const certificate of await this.#list()) {
      const level = expiryLevel(certificate.notAfter, now);
      if (!level) continue;
      // Field by field: what is listed here is shown on /readyz, and a loaded certificate carries its key.
      const { fingerprint, tenantId, subject, notAfter, state } = certificate;
      const warning = { fingerprint, tenantId, subject, notAfter, state, level, daysLeft: daysLeft(notAfter, now) };
      warnings.push(warning);
      if (rank(level) > rank(this.#logged.get(certificate.fingerprint))) {
        this.#logged.set(certificate.fingerprint, level);
        const log = { tenant: certificate.tenantId, fingerprint: certificate.fingerprint, subject: certificate.subject, state: certificate.state, notAfter: certificate.notAfter.toISOString(), daysLeft: warning.daysLeft };
        if (level === 'expired') this.#logger.error(log, 'a BankID RP certificate has expired: BankID refuses it');
        else this.#logger.warn({ ...log, threshold: level }, `a BankID RP certificate expires within ${level} days: renew it`);
      }
    }
    this.#latest = warnings;
    return warnings;
  }
}
