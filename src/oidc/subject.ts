/**
 * `sub` is never the personal number: it is an HMAC of it under a broker secret (public subject type), or of
 * that value and the client's sector (pairwise), so two clients cannot correlate a person unless allowed to.
 */
import { createHmac } from 'node:crypto';

export function accountIdFor(secret: string, personalNumber: string): string {
  return createHmac('sha256', secret).update(`sub:${personalNumber}`).digest('base64url');
}

export function pairwiseSubject(secret: string, accountId: string, sectorIdentifier: string): string {
  return createHmac('sha256', secret).update(`pairwise:${sectorIdentifier}:${accountId}`).digest('base64url');
}

/** The usage ledger's key for a person: counts unique persons, and is no `sub` any client sees. */
export function ledgerPersonKey(secret: string, personalNumber: string): string {
  return createHmac('sha256', secret).update(`ledger:${personalNumber}`).digest('base64url');
}
