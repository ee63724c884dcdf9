/**
 * Operator-supplied signing keys (JWKS_FILE). KeyStore reads the file on every `currentJwks`, so an operator rotates
 * by editing it on every replica (append the new key, later move it first, drop the old one when its tokens are
 * gone) and the server's reload loop picks the change up like a database rotation. The operator's order is kept.
 */
import { createPrivateKey, type JsonWebKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { JWKS } from 'oidc-provider';

export type OperatorKeysErrorCode = 'ERR_JWKS_FILE_INVALID' | 'ERR_KEYS_OPERATOR_MANAGED';

export class OperatorKeysError extends Error {
  readonly code: OperatorKeysErrorCode;
  constructor(code: OperatorKeysErrorCode, message: string) {
    super(message);
    this.name = 'OperatorKeysError';
    this.code = code;
  }
}

/** What `rotate` throws when JWKS_FILE is set. */
export function operatorManaged(file: string): OperatorKeysError {
  return new OperatorKeysError('ERR_KEYS_OPERATOR_MANAGED', `Signing keys come from JWKS_FILE (${file}) and are managed by the operator: rotate them by editing that file on every replica.`);
}

/** Reads and checks the operator's private JWK Set; throws OperatorKeysError saying what is wrong with it. */
export async function loadOperatorJwks(file: string): Promise<JWKS> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw invalid(file, `cannot be read: ${(err as Error).message}`);
  }
  const problem = jwksProblem(parsed);
  if (problem) throw invalid(file, problem);
  return parsed as JWKS;
}

function invalid(file: string, problem: string): OperatorKeysError {
  return new OperatorKeysError('ERR_JWKS_FILE_INVALID', `JWKS_FILE ${file} ${problem}`);
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function jwksProblem(value: unknown): string | undefined {
  if (!isObject(value) || !Array.isArray(value.keys) || value.keys.length === 0) return 'must be a JWK Set: {"keys": [ ... ]} with at least one key';
  const kids = new Set<string>();
  for (const [i, key] of (value.keys as unknown[]).entries()) {
    if (!isObject(key)) return `has keys[${i}] that is not a JSON object`;
    if (typeof key.kid !== 'string' || key.kid === '') return `has keys[${i}] without a "kid"`;
    if (kids.has(key.kid)) return `has the kid "${key.kid}" more than once`;
    kids.add(key.kid);
    if (typeof key.d !== 'string') return `has the key "${key.kid}" without its private part ("d"): the provider signs with these keys`;
    try {
      createPrivateKey({ key: key as JsonWebKey, format: 'jwk' });
    } catch (err) {
      return `has the key "${key.kid}" that is not a usable private key: ${(err as Error).message}`;
    }
  }
  if (!(value.keys as Json[]).some(signsEs256OrRs256)) return 'needs at least one ES256 (EC P-256) or RS256 (RSA) signing key';
  return undefined;
}

function signsEs256OrRs256(key: Json): boolean {
  if (key.use !== undefined && key.use !== 'sig') return false;
  const alg = key.kty === 'RSA' ? 'RS256' : key.kty === 'EC' && key.crv === 'P-256' ? 'ES256' : undefined;
  return alg !== undefined && (key.alg === undefined || key.alg === alg);
}
