/**
 * A database outage met inside oidc-provider (its adapter, findAccount) is answered as OAuth's
 * `temporarily_unavailable` with 503 at once, not as a 500 `server_error`: the client or the person tries again.
 */
import { errors, type AdapterFactory, type FindAccount } from 'oidc-provider';
import { BrokerError } from '../errors/catalogue.ts';

class TemporarilyUnavailable extends errors.OIDCProviderError {
  constructor(cause: BrokerError) {
    super(503, 'temporarily_unavailable', { cause });
    this.expose = true; // a 5xx is otherwise hidden as `server_error`
    this.error_description = 'the service is temporarily unavailable; try again in a moment';
  }
}

function translate(err: unknown): never {
  throw err instanceof BrokerError && err.code === 'database_unavailable' ? new TemporarilyUnavailable(err) : err;
}

/** Every method of every adapter the factory makes, with outages translated. */
export function outageAwareAdapter(factory: AdapterFactory): AdapterFactory {
  return (name) => {
    const adapter = factory(name);
    return new Proxy(adapter, {
      get(target, key) {
        const value: unknown = Reflect.get(target, key, target);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => Promise.resolve().then(() => value.apply(target, args)).catch(translate);
      },
    });
  };
}

export function outageAwareAccounts(findAccount: FindAccount): FindAccount {
  return (...args) => Promise.resolve().then(() => findAccount(...args)).catch(translate);
}
