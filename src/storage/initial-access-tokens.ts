/**
 * Which tenant each initial access token registers clients into (migration 0013). The token is oidc-provider's
 * InitialAccessToken in `oidc_payload`, whose row alone says whether it is valid and until when; this is its tenant
 * and public id. Each function takes the executor, so a change and its audit row commit together.
 */
import { possibleKey, type Db } from './database.ts';
import { live } from './oidc-rows.ts';

export interface InitialAccessTokenRow {
  id: string;
  tenantId: string;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface NewInitialAccessToken {
  id: string;
  /** The token oidc-provider has just saved (the foreign key needs its row). */
  tokenId: string;
  tenantId: string;
  createdBy: string;
}

/** Tokens with their own row's expiry; only the valid ones (a revoked or purged token has no row, hence none here). */
function validTokens(db: Db) {
  return db.selectFrom('initial_access_tokens')
    .innerJoin('oidc_payload', (join) => join.onRef('oidc_payload.model', '=', 'initial_access_tokens.token_model').onRef('oidc_payload.id', '=', 'initial_access_tokens.token_id'))
    .select(['initial_access_tokens.id', 'tenant_id', 'created_by', 'created_at', 'oidc_payload.expires_at'])
    .where(live('oidc_payload'));
}

type Selected = { id: string; tenant_id: string; created_by: string; created_at: Date; expires_at: Date | null };

function toRow(r: Selected): InitialAccessTokenRow {
  return { id: r.id, tenantId: r.tenant_id, createdBy: r.created_by, createdAt: r.created_at, expiresAt: r.expires_at! };
}

export async function recordInitialAccessToken(db: Db, row: NewInitialAccessToken): Promise<InitialAccessTokenRow> {
  await db.insertInto('initial_access_tokens')
    .values({ id: row.id, token_id: row.tokenId, tenant_id: row.tenantId, created_by: row.createdBy })
    .execute();
  return toRow(await validTokens(db).where('initial_access_tokens.id', '=', row.id).executeTakeFirstOrThrow());
}

/** A tenant's valid tokens in id order, up to `limit`, after the id `after`. */
export async function listInitialAccessTokens(db: Db, tenantId: string, after: string | undefined, limit: number): Promise<InitialAccessTokenRow[]> {
  let query = validTokens(db).where('tenant_id', '=', tenantId).orderBy('initial_access_tokens.id').limit(limit);
  if (after !== undefined) query = query.where('initial_access_tokens.id', '>', after);
  return (await query.execute()).map(toRow);
}

/** One valid token of the tenant by its public id. */
export async function findInitialAccessToken(db: Db, tenantId: string, id: string): Promise<InitialAccessTokenRow | undefined> {
  if (!possibleKey(id)) return undefined;
  const row = await validTokens(db).where('tenant_id', '=', tenantId).where('initial_access_tokens.id', '=', id).executeTakeFirst();
  return row && toRow(row);
}

/** The row of the token a registration presented (oidc-provider has found it valid). */
export async function initialAccessTokenByToken(db: Db, tokenId: string): Promise<InitialAccessTokenRow | undefined> {
  if (!possibleKey(tokenId)) return undefined;
  const row = await validTokens(db).where('token_id', '=', tokenId).executeTakeFirst();
  return row && toRow(row);
}

/**
 * Revokes a token: its oidc_payload row goes (what oidc-provider's own destroy does), and this row with it, in the
 * caller's transaction, so the revocation and its audit row are one change.
 */
export async function revokeInitialAccessToken(db: Db, id: string): Promise<void> {
  await db.deleteFrom('oidc_payload')
    .where('model', '=', 'InitialAccessToken')
    .where('id', '=', db.selectFrom('initial_access_tokens').select('token_id').where('id', '=', id))
    .execute();
}
