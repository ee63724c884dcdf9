/**
 * Secret rotation with a grace period: after a rotation the client may still authenticate with its previous secret
 * until the grace period ends. oidc-provider authenticates the client as always (method checks, the constant-time
 * compare with the current secret); only when that compare fails is the previous secret, if any, tried.
 */
import type Provider from 'oidc-provider';
import { safeEqual } from '../security/safe-equal.ts';

/** The client's previous secret while it is still accepted; undefined otherwise. */
export type PreviousSecretLookup = (clientId: string) => Promise<string | undefined>;

export function acceptPreviousSecrets(provider: Provider, previousSecret: PreviousSecretLookup): void {
  const compare = provider.Client.prototype.compareClientSecret;
  provider.Client.prototype.compareClientSecret = async function (this: InstanceType<Provider['Client']>, actual: string) {
    if (await compare.call(this, actual)) return true;
    const previous = await previousSecret(this.clientId);
    return previous !== undefined && safeEqual(previous, actual);
  };
}
