/** oidc-provider's `findAccount`: the claims of a person come from the BankID order that logged them in. */
import type { FindAccount } from 'oidc-provider';
import type { CompletionData } from '../bankid/types.ts';
import type { OrderRepository } from '../storage/orders.ts';
import { claimsFromCompletion } from './claims.ts';

export function findAccount(orders: OrderRepository): FindAccount {
  return async (_ctx, sub, token) => {
    // The code (ID token) knows its login's auth_time; an access token (userinfo) gets the latest login.
    const authTime = token && 'authTime' in token && typeof token.authTime === 'number' ? token.authTime : undefined;
    const order = await orders.completedFor(sub, authTime);
    if (!order?.completion) return undefined;
    const claims = claimsFromCompletion(order.completion as unknown as CompletionData, order.order_ref);
    return { accountId: sub, claims: () => ({ sub, ...claims }) };
  };
}
