/**
 * Cookie signatures exactly as keygrip makes them (HMAC-SHA1, base64url, the first key signs, any key verifies), so
 * cookies signed before stay valid, but each check is one HMAC and a constant-time compare: keygrip's compare (tsscmp)
 * adds two HMACs and fresh random bytes per check, which made signed-cookie checks 7–8 % of a login's CPU.
 */
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { safeEqual } from './safe-equal.ts';

export class CookieSigner {
  readonly #keys: KeyObject[];

  constructor(keys: readonly string[]) {
    if (!keys.length) throw new Error('at least one cookie key is needed');
    this.#keys = keys.map((key) => createSecretKey(Buffer.from(key)));
  }

  sign(data: string): string {
    return digest(data, this.#keys[0]!);
  }

  verify(data: string, signature: string): boolean {
    return this.index(data, signature) > -1;
  }

  /** Which key made `signature` (-1: none); the cookies module re-signs with the first when it is not 0. */
  index(data: string, signature: string): number {
    return this.#keys.findIndex((key) => safeEqual(digest(data, key), String(signature)));
  }
}

const digest = (data: string, key: KeyObject) => createHmac('sha1', key).update(data).digest('base64url');
