/** `brygga clients add|update`'s flags and `--file`, on the database and over the admin API alike (no oidc-provider loaded for the API). */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CLIENT_SETTINGS } from '../oidc/client-settings.ts';
import { parseJsonArg } from './options.ts';
import { UsageError } from './usage.ts';

export const ADD_HELP = `Usage: brygga clients add [--file client.json] [flags]

  --file F                     standard OIDC client metadata plus Brygga settings, as JSON (flags override it)
  --tenant ID                  the tenant it belongs to (default: default); its settings must stay within the tenant's policy
  --client-id ID               default: generated
  --name NAME                  client_name, shown on the BankID page
  --redirect-uri URI           repeatable
  --post-logout-redirect-uri URI   repeatable
  --scope "openid profile …"   scopes the client may ask for
  --auth-method M              client_secret_basic (default), client_secret_post or private_key_jwt
  --jwks-uri URI               for private_key_jwt
  --subject-type T             public (default) or pairwise
  --first-party                consent is implicit
  --start-methods qr,same_device
  --login-text TEXT            shown in the BankID app (simpleMarkdownV1)
  --requirement JSON           BankID requirement defaults, e.g. '{"pinCode":true}'
  --par-required               the client must use pushed authorization requests
  --refresh-tokens             allow refresh tokens (offline_access)
  --backchannel-logout-uri URI`;

/** Client metadata from the flags and `--file` (flags win), only what was given (no client id invented), and `--tenant`. */
export function metadataFromArgs(args: string[]): { metadata: Record<string, unknown>; tenant?: string } {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      file: { type: 'string' }, 'client-id': { type: 'string' }, name: { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true }, 'post-logout-redirect-uri': { type: 'string', multiple: true },
      scope: { type: 'string' }, 'auth-method': { type: 'string' }, 'jwks-uri': { type: 'string' }, 'subject-type': { type: 'string' },
      'first-party': { type: 'boolean' }, 'start-methods': { type: 'string' }, 'login-text': { type: 'string' },
      requirement: { type: 'string' }, 'par-required': { type: 'boolean' }, 'refresh-tokens': { type: 'boolean' },
      'backchannel-logout-uri': { type: 'string' }, tenant: { type: 'string' }, help: { type: 'boolean' },
    },
  });
  if (values.help) throw new UsageError(ADD_HELP);
  let fileMetadata: Record<string, unknown> = {};
  if (values.file) {
    let text: string;
    try {
      text = readFileSync(values.file, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read ${values.file}: ${(err as Error).message}`);
    }
    const parsed = parseJsonArg(text, values.file);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`${values.file} must hold a JSON object`);
    fileMetadata = parsed as Record<string, unknown>;
  }
  const flags: Record<string, unknown> = {
    client_id: values['client-id'],
    client_name: values.name,
    redirect_uris: values['redirect-uri'],
    post_logout_redirect_uris: values['post-logout-redirect-uri'],
    scope: values.scope,
    token_endpoint_auth_method: values['auth-method'],
    jwks_uri: values['jwks-uri'],
    subject_type: values['subject-type'],
    require_pushed_authorization_requests: values['par-required'],
    backchannel_logout_uri: values['backchannel-logout-uri'],
    [CLIENT_SETTINGS.firstParty]: values['first-party'],
    [CLIENT_SETTINGS.startMethods]: values['start-methods']?.split(',').map((s) => s.trim()),
    [CLIENT_SETTINGS.loginText]: values['login-text'],
    [CLIENT_SETTINGS.requirement]: values.requirement ? parseJsonArg(values.requirement, '--requirement') : undefined,
    grant_types: values['refresh-tokens'] ? ['authorization_code', 'refresh_token'] : undefined,
  };
  return { metadata: { ...fileMetadata, ...Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)) }, tenant: values.tenant };
}
