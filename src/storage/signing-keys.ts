/** Signing keys in `signing_keys`. The private JWK is sealed on the way in and opened on the way out; policy is in src/oidc/keys.ts. */
import type { JWK } from 'oidc-provider';
import type { Db } from './database.ts';
import type { SecretBox } from './encryption.ts';
import type { SigningKeysTable } from './schema.ts';
import { unseal } from './unseal.ts';

export type SigningAlg = SigningKeysTable['alg'];

export interface SigningKey {
  kid: string;
  alg: SigningAlg;
  /** The private JWK, with kid, alg and use. */
  jwk: JWK;
  createdAt: Date;
  useFrom: Date;
  retiredAt: Date | null;
}

export type NewSigningKey = Omit<SigningKey, 'retiredAt'>;

export class SigningKeyRepository {
  readonly #db: Db;
  readonly #box: SecretBox;

  constructor(db: Db, box: SecretBox) {
    this.#db = db;
    this.#box = box;
  }

  async list(): Promise<SigningKey[]> {
    const rows = await this.#db.selectFrom('signing_keys').selectAll().execute();
    return rows.map((r) => ({
      kid: r.kid,
      alg: r.alg,
      jwk: JSON.parse(unseal(this.#box, r.sealed_jwk, `signing key ${r.kid}`)) as JWK,
      createdAt: r.created_at,
      useFrom: r.use_from,
      retiredAt: r.retired_at,
    }));
  }

  /** Algorithms that have an unretired key (the one a rotation would replace). */
  async unretiredAlgs(): Promise<SigningAlg[]> {
    const rows = await this.#db.selectFrom('signing_keys').select('alg').where('retired_at', 'is', null).execute();
    return rows.map((r) => r.alg);
  }

  /** Inserts each key unless its algorithm already has an unretired one (another replica got there first); returns the kids inserted. */
  async insertUnlessUnretired(keys: NewSigningKey[]): Promise<string[]> {
    if (keys.length === 0) return [];
    const rows = await this.#db.insertInto('signing_keys')
      .values(keys.map((k) => this.#row(k)))
      .onConflict((oc) => oc.column('alg').where('retired_at', 'is', null).doNothing())
      .returning('kid')
      .execute();
    return rows.map((r) => r.kid);
  }

  /** Inserts each key and retires the unretired key of its algorithm at the new key's use_from, atomically. */
  async replaceUnretired(keys: NewSigningKey[]): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      for (const key of keys) {
        await trx.updateTable('signing_keys').set({ retired_at: key.useFrom }).where('alg', '=', key.alg).where('retired_at', 'is', null).execute();
        await trx.insertInto('signing_keys').values(this.#row(key)).execute();
      }
    });
  }

  /** Deletes keys retired before `cutoff`; returns how many. */
  async deleteRetiredBefore(cutoff: Date): Promise<number> {
    const result = await this.#db.deleteFrom('signing_keys').where('retired_at', '<', cutoff).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  #row(key: NewSigningKey) {
    return { kid: key.kid, alg: key.alg, sealed_jwk: this.#box.seal(JSON.stringify(key.jwk)), created_at: key.createdAt, use_from: key.useFrom };
  }
}
