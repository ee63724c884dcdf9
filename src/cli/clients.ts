/** `brygga clients …`: register, list, show and remove clients. Metadata is validated by oidc-provider itself. */
import { randomBytes } from 'node:crypto';
import type { Config } from '../config/load.ts';
import { resolveSecrets } from '../config/secrets.ts';
import type { Logger } from '../observability/logger.ts';
import { validationProvider } from '../oidc/validation.ts';
import { ClientRepository, type ClientMetadata } from '../storage/clients.ts';
import type { Db } from '../storage/database.ts';
import { SecretBox } from '../storage/encryption.ts';
import { DEFAULT_TENANT } from '../storage/tenants.ts';
import { TenantService } from '../tenants/service.ts';
import { UsageError } from './usage.ts';
import { ADD_HELP, metadataFromArgs } from './client-args.ts';

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
