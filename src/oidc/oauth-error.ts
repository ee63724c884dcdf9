/**
 * A catalogue error (src/errors/catalogue.ts) as oidc-provider answers it at its JSON endpoints: the entry's status
 * and OAuth error code, with the message when the entry may show it. oidc-provider would otherwise answer anything
 * that is not its own error as a 500 `server_error`.
 */
import { errors } from 'oidc-provider';
import type { BrokerError } from '../errors/catalogue.ts';

export class CatalogueError extends errors.OIDCProviderError {
  constructor(err: BrokerError) {
    super(err.status, err.oauth, { cause: err });
    // A 5xx is hidden as `server_error` unless exposed: the catalogue says whether it may be shown.
    this.expose = err.expose;
    if (err.expose) this.error_description = err.message;
  }
}
