/**
 * A provider instance used only to validate client metadata outside the server (the CLI), configured like the
 * server's so that what passes here is accepted there; with the registration policies it also issues initial access
 * tokens the server accepts (they name a policy, which the provider must know). It never serves requests.
 */
import { randomBytes } from 'node:crypto';
import type Provider from 'oidc-provider';
import type { Config } from '../config/load.ts';
import { resolveSecrets } from '../config/secrets.ts';
import type { Logger } from '../observability/logger.ts';
import type { Db } from '../storage/database.ts';
import { SecretBox } from '../storage/encryption.ts';
import { createOidcAdapterFactory } from '../storage/oidc-adapter.ts';
import { KeyStore, maxTokenLifetime } from './keys.ts';
import { providerPages } from './pages.ts';
import { createProvider, type RegistrationPolicies } from './provider.ts';

export async function validationProvider(config: Config, db: Db, _logger: Logger, registrationPolicies?: RegistrationPolicies): Promise<Provider> {
  const secrets = resolveSecrets(config);
  const keys = new KeyStore(db, new SecretBox(secrets.encryptionKey), { jwksFile: config.oidc.jwksFile });
  await keys.ensureKeys(new Date());
  return createProvider({
    config,
    adapter: createOidcAdapterFactory(db),
    jwks: await keys.currentJwks(new Date(), maxTokenLifetime(config)),
    cookieKeys: [randomBytes(32).toString('base64url')],
    dpopNonceSecret: randomBytes(32),
    subjectSecret: secrets.subjectSecret,
    findAccount: async () => undefined,
    pages: providerPages(),
    registrationPolicies,
    // CIBA is on, so that a phone client's metadata validates as on the server; this provider starts no order.
    ciba: { limit: async () => {}, orders: { start: () => Promise.reject(new Error('the validation provider starts no orders')) } },
  });
}
