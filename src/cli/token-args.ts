/** `brygga initial-access-tokens`' flags, on the database and over the admin API alike. */
import { parseArgs } from 'node:util';
import { tokenIssue } from '../admin/schemas/registration.ts';
import { UsageError } from './usage.ts';

export const TOKENS_HELP = `Usage: brygga initial-access-tokens issue|list|revoke --tenant ID [--json]

  initial-access-tokens issue --tenant ID [--expires-in SECONDS]   a token that registers clients into the tenant
                                (60 s to 90 days, default 86400); shown this once
  initial-access-tokens list --tenant ID                           the tenant's tokens still valid (never the tokens)
  initial-access-tokens revoke <id> --tenant ID                    it registers nothing more (its clients stay)

The broker needs DYNAMIC_CLIENT_REGISTRATION=true; clients register at <issuer>/reg with the token as a bearer token.`;

export const TOKEN_COLUMNS: [string, string][] = [['id', 'ID'], ['tenant_id', 'TENANT'], ['created_by', 'CREATED BY'], ['created_at', 'CREATED'], ['expires_at', 'EXPIRES']];
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
