import type { SecretBox } from './encryption.ts';

/** A stored secret that does not open: almost always ENCRYPTION_KEY changed since it was sealed. */
export class UnsealError extends Error {
  constructor(what: string, cause: unknown) {
    super(`Cannot decrypt ${what}: it was sealed with a different ENCRYPTION_KEY, or the stored value is damaged.`, { cause });
    this.name = 'UnsealError';
  }
}

/** `box.open`, with an error that tells the operator what to check instead of GCM's "unable to authenticate data". */
export function unseal(box: SecretBox, sealed: string, what: string): string {
  try {
    return box.open(sealed);
  } catch (err) {
    throw new UnsealError(what, err);
  }
}
