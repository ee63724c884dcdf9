/** `brygga tenants`' flags and `--file`, on the database and over the admin API alike. */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { TenantInput } from '../tenants/service.ts';
import { parseJsonArg } from './options.ts';

export const TENANTS_HELP = `Usage: brygga tenants add|list|show [--json]   (with --url also update and remove)

  tenants add --id ID --name-sv NAMN --name-en NAME --environment production|test|simulator
              [--org-number NNNNNN-NNNN] [--contact-email E] [--contact-name N] [--policy JSON] [--file tenant.json]
              [--time-zone ZONE] [--billable auth,sign]   usage reports: time zone (Europe/Stockholm) and what the
                                                          contract bills (auth,sign; also payment, phone_auth, phone_sign)
  tenants list [--search S]              (--search over the admin API)
  tenants show <id>
  tenants update <id> [the add flags]   over the admin API: change only what is given (the policy is merged)
  tenants remove <id>                   over the admin API: only without clients and an active certificate

--policy (or "policy" in --file) is what the tenant's clients inherit and may only narrow, e.g.
'{"startMethods":["qr"],"requirement":{"pinCode":true},"ssoGroups":["kommun"],"startsPerClientPerMinute":60}'.`;

/** The tenant flags and `--file` (flags win), only what was given: a whole tenant for `add`, a change for `update`. */
export function tenantFromArgs(args: string[]): Partial<TenantInput> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      id: { type: 'string' }, 'name-sv': { type: 'string' }, 'name-en': { type: 'string' }, environment: { type: 'string' },
      'org-number': { type: 'string' }, 'contact-email': { type: 'string' }, 'contact-name': { type: 'string' },
      policy: { type: 'string' }, file: { type: 'string' }, 'time-zone': { type: 'string' }, billable: { type: 'string' },
    },
  });
  const file = values.file ? parseJsonArg(readFileSync(values.file, 'utf8'), values.file) as Partial<TenantInput> : {};
  const contact = values['contact-email'] || values['contact-name'] ? [{ name: values['contact-name'], email: values['contact-email'] }] : undefined;
  const name = values['name-sv'] || values['name-en'] ? { ...file.name, sv: values['name-sv'] ?? file.name?.sv, en: values['name-en'] ?? file.name?.en } : file.name;
  const given: Partial<TenantInput> = {
    ...file,
    id: values.id ?? file.id,
    name: name as TenantInput['name'] | undefined,
    organisationNumber: values['org-number'] ?? file.organisationNumber,
    bankidEnvironment: (values.environment ?? file.bankidEnvironment) as TenantInput['bankidEnvironment'],
    contacts: contact ?? file.contacts,
    policy: values.policy ? parseJsonArg(values.policy, '--policy') as TenantInput['policy'] : file.policy,
    timeZone: values['time-zone'] ?? file.timeZone,
    billableOperations: values.billable !== undefined ? values.billable.split(',').map((op) => op.trim()).filter(Boolean) : file.billableOperations,
  };
  return Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
}
