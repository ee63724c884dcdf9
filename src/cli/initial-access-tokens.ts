/**
 * `brygga initial-access-tokens …`: the tokens with which a tenant registers its own clients (dynamic client
 * registration, RFC 7591). On the database the same code as the admin API's issues and revokes them, audited as `cli`;
 * with --url the broker does it, audited as the token's holder.
 */
import { parseArgs } from 'node:util';
import { tenantPolicy, TENANT_POLICY } from '../admin/actions/registration/policy.ts';
import { tokenView } from '../admin/actions/registration/tenant.ts';
import { issueToken, revokeToken, type Commit } from '../admin/actions/registration/tokens.ts';
import { commitAudited } from '../admin/change.ts';
import { DEFAULT_TOKEN_LIFETIME_S, tokenIssue } from '../admin/schemas/registration.ts';
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
import { UsageError } from './usage.ts';

export const TOKENS_HELP = `Usage: brygga initial-access-tokens issue|list|revoke --tenant ID [--json]

  initial-access-tokens issue --tenant ID [--expires-in SECONDS]   a token that registers clients into the tenant
                                (60 s to 90 days, default 86400); shown this once
  initial-access-tokens list --tenant ID                           the tenant's tokens still valid (never the tokens)
  initial-access-tokens revoke <id> --tenant ID                    it registers nothing more (its clients stay)

The broker needs DYNAMIC_CLIENT_REGISTRATION=true; clients register at <issuer>/reg with the token as a bearer token.`;

export const TOKEN_COLUMNS: [string, string][] = [['id', 'ID'], ['tenant_id', 'TENANT'], ['created_by', 'CREATED BY'], ['created_at', 'CREATED'], ['expires_at', 'EXPIRES']];
const PAGE = 200;
export const SHOWN_ONCE = '\nThe token is shown this once: hand it to the tenant now.';

/** The command's flags: the tenant (required), the lifetime for `issue` (checked by the admin API's own schema), the token id. */
export function tokenArgs(sub: string | undefined, args: string[]): { tenant: string; expiresIn: number | undefined; id: string | undefined } {
  const { values, positionals } = parseArgs({ args, strict: true, allowPositionals: true, options: { tenant: { type: 'string' }, 'expires-in': { type: 'string' } } });
  if (!values.tenant || !['issue', 'list', 'revoke'].includes(sub ?? '')) throw new UsageError(TOKENS_HELP);
  if (sub === 'revoke' && !positionals[0]) throw new UsageError('usage: brygga initial-access-tokens revoke <id> --tenant ID');
  const given = values['expires-in'];
  const parsed = tokenIssue.safeParse(given === undefined ? {} : { expires_in: /^\d+$/.test(given) ? Number(given) : given });
  if (!parsed.success) throw new UsageError(`--expires-in: ${parsed.error.issues[0]!.message} (60 to 7776000 seconds)`);
  return { tenant: values.tenant, expiresIn: parsed.data.expires_in, id: positionals[0] };
}

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
