/**
 * `brygga initial-access-tokens …`: the tokens with which a tenant registers its own clients (dynamic client
 * registration, RFC 7591). On the database the same code as the admin API's issues and revokes them, audited as `cli`;
 * with --url the broker does it, audited as the token's holder.
 */
import { tenantPolicy, TENANT_POLICY } from '../admin/actions/registration/policy.ts';
import { tokenView } from '../admin/actions/registration/tenant.ts';
import { issueToken, revokeToken, type Commit } from '../admin/actions/registration/tokens.ts';
import { commitAudited } from '../admin/change.ts';
import { DEFAULT_TOKEN_LIFETIME_S } from '../admin/schemas/registration.ts';
import type { Config } from '../config/load.ts';
import { resolveSecrets } from '../config/secrets.ts';
import { BrokerError } from '../errors/catalogue.ts';
import type { Logger } from '../observability/logger.ts';
import { validationProvider } from '../oidc/validation.ts';
import { ClientAdminStore } from '../storage/client-admin.ts';
import type { Db } from '../storage/database.ts';
import { SecretBox } from '../storage/encryption.ts';
import { listInitialAccessTokens, type InitialAccessTokenRow } from '../storage/initial-access-tokens.ts';
import { TenantRepository } from '../storage/tenants.ts';
import { record, render, table } from './output.ts';
import { SHOWN_ONCE, TOKEN_COLUMNS, tokenArgs } from './token-args.ts';

const PAGE = 200;

export async function initialAccessTokensCommand(config: Config, db: Db, logger: Logger, sub: string | undefined, args: string[], json: boolean, out: (t: string) => void): Promise<number> {
  const { tenant, expiresIn, id } = tokenArgs(sub, args);
  if (!(await new TenantRepository(db).find(tenant))) throw new BrokerError('tenant_unknown', `no tenant ${tenant}`);
  const commit: Commit = (work) => commitAudited(db, { actor: 'cli', requestId: null }, work);
  switch (sub) {
    case 'issue': {
      if (!config.admin.dynamicRegistration) throw new BrokerError('registration_off');
      // The provider must know the policy the token names; the CLI keeps no client cache to forget.
      const policies = { [TENANT_POLICY]: tenantPolicy({ db, clients: new ClientAdminStore(new SecretBox(resolveSecrets(config).encryptionKey)), forgetClient: () => {} }) };
      const provider = await validationProvider(config, db, logger, policies);
      const { row, token } = await issueToken(provider.InitialAccessToken, commit, tenant, expiresIn ?? DEFAULT_TOKEN_LIFETIME_S, 'cli');
      const issued = { ...tokenView(row), token, registration_endpoint: `${config.http.issuer}/reg` };
      out(render(issued, json, (value: Record<string, unknown>) => record(value) + SHOWN_ONCE));
      return 0;
    }
    case 'list': {
      const rows: InitialAccessTokenRow[] = [];
      let page: InitialAccessTokenRow[];
      do {
        page = await listInitialAccessTokens(db, tenant, rows.at(-1)?.id, PAGE);
        rows.push(...page);
      } while (page.length === PAGE);
      out(render(rows.map(tokenView), json, (all: Record<string, unknown>[]) => table(all, TOKEN_COLUMNS)));
      return 0;
    }
    default:
      await revokeToken(commit, tenant, id!);
      out(json ? JSON.stringify({ revoked: id }) : `Revoked ${id}.`);
      return 0;
  }
}
