/**
 * oidc-provider's `findAccount`: a person's claims come from the BankID order of the login that issued the token
 * (through the token's grant), never from another login or another client.
 */
import type { FindAccount } from 'oidc-provider';
import type { CompletionData } from '../bankid/types.ts';
import type { LoginRepository } from '../storage/logins.ts';
import { claimsFromCompletion, type PaymentTransaction } from './claims.ts';

export function findAccount(logins: LoginRepository): FindAccount {
  return async (_ctx, sub, token) => {
    // Without a token (the authorization endpoint) only the account's existence matters: no claims are released there.
    const order = token?.grantId ? await logins.orderForGrant(token.grantId, sub) : undefined;
    if (token && !order) return undefined;
    // Personal data is deleted some time after the login (retention); the account stays, with its `sub` only.
    const claims = order?.completion ? claimsFromCompletion(order.completion as unknown as CompletionData, order.orderRef, order.operation, order.payment as PaymentTransaction | null) : {};
    return { accountId: sub, claims: () => ({ sub, ...claims }) };
  };
}
