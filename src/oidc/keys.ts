/**
 * Signing-key policy. Keys live in the database (sealed) so every replica signs with the same set; a rotation
 * publishes the new keys at once but lets them sign only after `propagationSeconds`, by which time every replica
 * has reloaded the set, and keeps the replaced keys published until the tokens they signed have expired.
 * With JWKS_FILE the operator supplies and rotates the keys instead (./operator-keys.ts).
 */
import { createHash } from 'node:crypto';
import type { Config } from '../config/load.ts';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import type { JWKS } from 'oidc-provider';
import type { Db } from '../storage/database.ts';
import type { SecretBox } from '../storage/encryption.ts';
import { SigningKeyRepository, type NewSigningKey, type SigningAlg, type SigningKey } from '../storage/signing-keys.ts';
import { loadOperatorJwks, operatorManaged } from './operator-keys.ts';

/** oidc-provider signs with the first key of an algorithm, so every set carries one of each the clients may ask for. */
const ALGS: readonly SigningAlg[] = ['ES256', 'RS256'];

/** Long enough for every replica's reload loop to have published a new key before it signs anything. */
export const DEFAULT_PROPAGATION_SECONDS = 600;

export interface Rotation {
  kids: string[];
  /** When the new keys start signing and the replaced ones are retired. */
  useFrom: Date;
}

export class KeyStore {
  readonly #repo: SigningKeyRepository;
  readonly #jwksFile: string | undefined;

  constructor(db: Db, box: SecretBox, options: { jwksFile?: string | undefined } = {}) {
    this.#repo = new SigningKeyRepository(db, box);
    this.#jwksFile = options.jwksFile;
  }

  /** Creates a signing key for each algorithm that has none (first start); returns the kids created. With JWKS_FILE, checks the file. */
  async ensureKeys(now = new Date()): Promise<string[]> {
    if (this.#jwksFile) {
      await loadOperatorJwks(this.#jwksFile);
      return [];
    }
    const present = new Set(await this.#repo.unretiredAlgs());
    const missing = ALGS.filter((alg) => !present.has(alg));
    return this.#repo.insertUnlessUnretired(await Promise.all(missing.map((alg) => generateSigningKey(alg, now, now))));
  }

  /** Adds a key per algorithm, published now, signing from `now + propagationSeconds`, when the keys it replaces retire. */
  async rotate(now = new Date(), { propagationSeconds = DEFAULT_PROPAGATION_SECONDS } = {}): Promise<Rotation> {
    if (this.#jwksFile) throw operatorManaged(this.#jwksFile);
    const useFrom = new Date(now.getTime() + propagationSeconds * 1000);
    const keys = await Promise.all(ALGS.map((alg) => generateSigningKey(alg, now, useFrom)));
    await this.#repo.replaceUnretired(keys);
    return { kids: keys.map((k) => k.kid), useFrom };
  }

  /**
   * The private JWK Set for oidc-provider's `jwks`, in signing order. Deletes keys retired more than
   * `maxTokenLifetimeSeconds` ago: nothing they signed is still valid.
   */
  async currentJwks(now: Date, maxTokenLifetimeSeconds: number): Promise<JWKS> {
    if (this.#jwksFile) return loadOperatorJwks(this.#jwksFile);
    await this.#repo.deleteRetiredBefore(new Date(now.getTime() - maxTokenLifetimeSeconds * 1000));
    return { keys: signingOrder(await this.#repo.list(), now).map((k) => k.jwk) };
  }
}

/** Cheap change detector: the same keys in the same order give the same string on every replica. */
export function jwksFingerprint(jwks: JWKS): string {
  return createHash('sha256').update(JSON.stringify(jwks.keys)).digest('base64url');
}

async function generateSigningKey(alg: SigningAlg, createdAt: Date, useFrom: Date): Promise<NewSigningKey> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true }); // RS256: 2048-bit modulus
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { kid, alg, jwk: { ...jwk, kid, alg, use: 'sig' }, createdAt, useFrom };
}

/**
 * Per algorithm, the newest key that may sign now comes first (oidc-provider signs with it); then keys that are
 * published but may not sign yet; then retired keys kept so their tokens still verify. Ties break on kid, so
 * every replica orders the same rows the same way.
 */
function signingOrder(keys: SigningKey[], now: Date): SigningKey[] {
  const t = now.getTime();
  const newestFirst = (a: SigningKey, b: SigningKey) => b.useFrom.getTime() - a.useFrom.getTime() || a.kid.localeCompare(b.kid);
  const maySign = (k: SigningKey) => k.useFrom.getTime() <= t && (k.retiredAt === null || k.retiredAt.getTime() > t);
  const signers = new Set(ALGS.map((alg) => keys.filter((k) => k.alg === alg && maySign(k)).sort(newestFirst)[0]));
  const rank = (k: SigningKey) => (signers.has(k) ? 0 : k.useFrom.getTime() > t ? 1 : 2);
  return [...keys].sort((a, b) => rank(a) - rank(b) || newestFirst(a, b));
}

/** How long a retired key stays published: the longest anything it signed can still be presented. */
export function maxTokenLifetime(config: Config): number {
  return Math.max(config.oidc.idTokenTtlS, config.oidc.accessTokenTtlS, config.oidc.sessionTtlS);
}
