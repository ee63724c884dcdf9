/**
 * A digest of the texts an order sent (`userVisibleData`, `userNonVisibleData`): kept with the order at its start and
 * compared with the digest of what the signature says was shown and signed. Over the bytes, so base64 spelling
 * (padding, line breaks) cannot make equal texts differ.
 */
import { createHash } from 'node:crypto';

export interface SentData {
  /** Text or bytes as the RP gave them to the client (which base64-encodes them). */
  userVisibleData?: string | Uint8Array;
  userNonVisibleData?: string | Uint8Array;
}

export function sentDataDigest(sent: SentData): string {
  const part = (value: string | Uint8Array | undefined) =>
    value === undefined || value.length === 0 ? '-' : Buffer.from(typeof value === 'string' ? Buffer.from(value, 'utf8') : value).toString('base64');
  return createHash('sha256').update(`v:${part(sent.userVisibleData)}|n:${part(sent.userNonVisibleData)}`).digest('base64url');
}
