/**
 * Issuing and revoking a tenant's initial access tokens, each with its audit row in one transaction: what the admin
 * API does for its caller and `brygga initial-access-tokens` does on the database. The token is oidc-provider's own
 * InitialAccessToken (so the library checks expiry and revocation), naming the tenant policy; its tenant is recorded
 * beside it.
 */
import { randomBytes } from 'node:crypto';
import type Provider from 'oidc-provider';
import { BrokerError } from '../../../errors/catalogue.ts';
import type { Db } from '../../../storage/database.ts';
import { findInitialAccessToken, recordInitialAccessToken, revokeInitialAccessToken, type InitialAccessTokenRow } from '../../../storage/initial-access-tokens.ts';
import type { Change } from '../../change.ts';
import { TENANT_POLICY } from './policy.ts';
import { tokenView } from './tenant.ts';

/** Runs a change in a transaction with its audit row (commitChange for an API caller, commitAudited for the CLI). */
export type Commit = <T>(work: (trx: Db) => Promise<{ change: Change; result: T }>) => Promise<T>;

export async function issueToken(model: Provider['InitialAccessToken'], commit: Commit, tenantId: string, expiresIn: number, createdBy: string): Promise<{ row: InitialAccessTokenRow; token: string }> {
  const token = new model({ expiresIn, policies: [TENANT_POLICY] });
  // Saved through the adapter first: the recorded tenant refers to it. Should recording fail, the token goes again.
  const value = await token.save();
  const row = await commit(async (trx) => {
    const recorded = await recordInitialAccessToken(trx, { id: `iat_${randomBytes(12).toString('base64url')}`, tokenId: value, tenantId, createdBy });
    return { change: { tenantId, action: 'create', objectType: 'initial_access_token', objectId: recorded.id, before: null, after: tokenView(recorded) }, result: recorded };
  }).catch(async (err: unknown) => {
    await token.destroy();
    throw err;
  });
  return { row, token: value };
}

/** The token registers nothing more; clients it registered stay. */
export async function revokeToken(commit: Commit, tenantId: string, id: string): Promise<void> {
  await commit(async (trx) => {
    const row = await findInitialAccessToken(trx, tenantId, id);
    if (!row) throw new BrokerError('admin_not_found', `no initial access token ${id} in tenant ${tenantId}`);
    await revokeInitialAccessToken(trx, id);
    return { change: { tenantId, action: 'delete', objectType: 'initial_access_token', objectId: id, before: tokenView(row), after: null }, result: undefined };
  });
}
