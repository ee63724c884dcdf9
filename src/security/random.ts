/**
 * Random ids and nonces for every request (request id, trace ids, CSP nonce, device cookie) from one pooled draw of
 * the CSPRNG: `randomBytes` costs ~5 µs a call whatever its size, and a login makes a few dozen such calls. Each
 * byte of the pool is handed out once (as nanoid and Node's own `randomUUID` cache theirs).
 */
import { randomBytes } from 'node:crypto';

const POOL_BYTES = 4096;
let pool = randomBytes(POOL_BYTES);
let used = 0;

function take(bytes: number): Buffer {
  if (bytes > POOL_BYTES) return randomBytes(bytes);
  if (used + bytes > POOL_BYTES) {
    pool = randomBytes(POOL_BYTES);
    used = 0;
  }
  return pool.subarray(used, (used += bytes));
}

/** `bytes` random bytes as lowercase hex. */
export const randomHex = (bytes: number): string => take(bytes).toString('hex');

/** `bytes` random bytes in base64 (`url`: base64url, unpadded). */
export const randomBase64 = (bytes: number, url = false): string => take(bytes).toString(url ? 'base64url' : 'base64');
