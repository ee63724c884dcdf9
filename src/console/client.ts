/**
 * The console's own OIDC client of the broker (`brygga-console`): first-party (no consent page), in the default
 * tenant, its secret one of the broker's shared secrets. Ensured at every start, so every replica agrees on it.
 */
import * as oidc from 'openid-client';
import { OIDC_SE } from '../oidc/claims.ts';
import type { ClientRepository } from '../storage/clients.ts';
import { DEFAULT_TENANT } from '../storage/tenants.ts';
import { localFetch } from './local-fetch.ts';

export const CONSOLE_CLIENT_ID = 'brygga-console';
export const CONSOLE_SCOPE = ['openid', 'profile', OIDC_SE.naturalPersonNumber].join(' ');
/** Where the console's pages live (its router's prefix). */
export const CONSOLE_PATH = '/admin';
export const CALLBACK_PATH = `${CONSOLE_PATH}/callback`;

export async function ensureConsoleClient(clients: ClientRepository, issuer: string, secret: string): Promise<void> {
  await clients.save({
    client_id: CONSOLE_CLIENT_ID,
    client_secret: secret,
    client_name: 'Brygga administration',
    'client_name#en': 'Brygga administration',
    redirect_uris: [`${issuer}${CALLBACK_PATH}`],
    scope: CONSOLE_SCOPE,
    brygga_first_party: true,
  }, DEFAULT_TENANT);
}

/** Discovery against the broker's own listener (see local-fetch.ts); retried on the next sign-in if it failed. */
export function consoleOidc(issuer: string, listener: string, secret: string): () => Promise<oidc.Configuration> {
  let discovered: Promise<oidc.Configuration> | undefined;
  return () => {
    discovered ??= oidc.discovery(new URL(issuer), CONSOLE_CLIENT_ID, undefined, oidc.ClientSecretBasic(secret), {
      execute: [oidc.allowInsecureRequests], [oidc.customFetch]: localFetch(issuer, listener),
    });
    discovered.catch(() => { discovered = undefined; });
    return discovered;
  };
}
