/** `brygga admins`' flags, on the database and over the admin API alike. */
import { parseArgs } from 'node:util';

export const ADMINS_HELP = `Usage: brygga admins add|list|show|update|remove [--json]

  admins add --personal-number YYYYMMDDNNNN --name NAME --role broker_admin|tenant_admin|tenant_auditor [--tenant ID]
  admins list [--tenant ID] [--role R] [--search S]
  admins show <id>                      over the admin API
  admins update <id> [--name N] [--role R] [--tenant ID|--no-tenant]   over the admin API
  admins remove <id>

The personal number is stored only as a keyed hash (from SUBJECT_SECRET) and never shown again.`;

export const ADMIN_COLUMNS: [string, string][] = [['id', 'ID'], ['display_name', 'NAME'], ['role', 'ROLE'], ['tenant_id', 'TENANT'], ['created_at', 'CREATED']];

/** The admin flags as the API's fields, only what was given (`--no-tenant` is an explicit null: a broker admin). */
export function adminFromArgs(args: string[]): { body: Record<string, unknown>; positionals: string[]; search?: string } {
  const { values, positionals } = parseArgs({
    args, strict: true, allowPositionals: true,
    options: { 'personal-number': { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, tenant: { type: 'string' }, 'no-tenant': { type: 'boolean' }, search: { type: 'string' } },
  });
  const body = { personal_number: values['personal-number'], display_name: values.name, role: values.role, tenant_id: values['no-tenant'] ? null : values.tenant };
  return { body: Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)), positionals, search: values.search };
}
