/** `brygga clients …`: register, list, show and remove clients. Metadata is validated by oidc-provider itself. */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Config } from '../config/load.ts';
import { resolveSecrets } from '../config/secrets.ts';
import type { Logger } from '../observability/logger.ts';
import { CLIENT_SETTINGS } from '../oidc/client-settings.ts';
import { validationProvider } from '../oidc/validation.ts';
import { ClientRepository, type ClientMetadata } from '../storage/clients.ts';
import type { Db } from '../storage/database.ts';
import { SecretBox } from '../storage/encryption.ts';
import { DEFAULT_TENANT } from '../storage/tenants.ts';
import { TenantService } from '../tenants/service.ts';
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

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}

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
    const parsed = parseJson(text, values.file);
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
    [CLIENT_SETTINGS.requirement]: values.requirement ? parseJson(values.requirement, '--requirement') : undefined,
    grant_types: values['refresh-tokens'] ? ['authorization_code', 'refresh_token'] : undefined,
  };
  return { metadata: { ...fileMetadata, ...Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)) }, tenant: values.tenant };
}

const withoutSecret = ({ client_secret: _secret, ...rest }: ClientMetadata) => rest;

export async function clientsCommand(config: Config, db: Db, logger: Logger, sub: string | undefined, args: string[], out: (t: string) => void): Promise<number> {
  const clients = new ClientRepository(db, new SecretBox(resolveSecrets(config).encryptionKey), { cacheMs: 0 });
  switch (sub) {
    case 'add': {
      const { metadata: given, tenant } = metadataFromArgs(args);
      const metadata = { ...given, client_id: typeof given.client_id === 'string' && given.client_id ? given.client_id : randomBytes(12).toString('base64url') } as ClientMetadata;
      // A client without the code flow (admin tools, phone orders over CIBA) redirects nobody.
      const codeFlow = !Array.isArray(metadata.grant_types) || metadata.grant_types.includes('authorization_code');
      if (codeFlow && (!Array.isArray(metadata.redirect_uris) || !metadata.redirect_uris.length)) throw new UsageError('a client needs at least one --redirect-uri (or redirect_uris in --file)');
      if (await clients.find(metadata.client_id)) throw new UsageError(`client ${metadata.client_id} already exists; remove it first or choose another --client-id`);
      const needsSecret = !metadata.token_endpoint_auth_method || String(metadata.token_endpoint_auth_method).startsWith('client_secret');
      if (needsSecret && !metadata.client_secret) metadata.client_secret = randomBytes(32).toString('base64url');
      const provider = await validationProvider(config, db, logger);
      try {
        await provider.Client.validate(metadata);
      } catch (err) {
        const e = err as { error?: string; error_description?: string; message: string };
        throw new UsageError(`the client is not valid: ${e.error_description ?? e.message}`);
      }
      const tenantId = tenant ?? DEFAULT_TENANT;
      await new TenantService(db).checkClient(tenantId, metadata);
      await clients.save(metadata, tenantId);
      out(JSON.stringify(metadata, null, 2));
      return 0;
    }
    case 'list': {
      const all = await clients.list();
      out(JSON.stringify(all.map((c) => ({ client_id: c.metadata.client_id, client_name: c.metadata.client_name, created_at: c.createdAt })), null, 2));
      return 0;
    }
    case 'show': {
      const id = args[0];
      if (!id) throw new UsageError('usage: brygga clients show <client_id>');
      const found = await clients.find(id);
      if (!found) throw new UsageError(`no client ${id}`);
      out(JSON.stringify(withoutSecret(found), null, 2));
      return 0;
    }
    case 'remove': {
      const id = args[0];
      if (!id) throw new UsageError('usage: brygga clients remove <client_id>');
      if (!(await clients.remove(id))) throw new UsageError(`no client ${id}`);
      out(`Removed ${id}.`);
      return 0;
    }
    default:
      throw new UsageError(`usage: brygga clients add|list|show|remove\n\n${ADD_HELP}`);
  }
}
