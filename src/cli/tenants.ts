/** `brygga tenants …`: add, list and show tenants (organisations with their own BankID agreement). */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Db } from '../storage/database.ts';
import { TenantService, type TenantInput } from '../tenants/service.ts';
import { record, render, table } from './table.ts';
import { UsageError } from './usage.ts';

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

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}

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
  const file = values.file ? parseJson(readFileSync(values.file, 'utf8'), values.file) as Partial<TenantInput> : {};
  const contact = values['contact-email'] || values['contact-name'] ? [{ name: values['contact-name'], email: values['contact-email'] }] : undefined;
  const name = values['name-sv'] || values['name-en'] ? { ...file.name, sv: values['name-sv'] ?? file.name?.sv, en: values['name-en'] ?? file.name?.en } : file.name;
  const given: Partial<TenantInput> = {
    ...file,
    id: values.id ?? file.id,
    name: name as TenantInput['name'] | undefined,
    organisationNumber: values['org-number'] ?? file.organisationNumber,
    bankidEnvironment: (values.environment ?? file.bankidEnvironment) as TenantInput['bankidEnvironment'],
    contacts: contact ?? file.contacts,
    policy: values.policy ? parseJson(values.policy, '--policy') as TenantInput['policy'] : file.policy,
    timeZone: values['time-zone'] ?? file.timeZone,
    billableOperations: values.billable !== undefined ? values.billable.split(',').map((op) => op.trim()).filter(Boolean) : file.billableOperations,
  };
  return Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
}

/** A whole tenant: what is missing is empty, for the service to name. */
function inputFromArgs(args: string[]): TenantInput {
  const given = tenantFromArgs(args);
  return { ...given, id: given.id ?? '', name: { sv: given.name?.sv ?? '', en: given.name?.en ?? '' } };
}

export async function tenantsCommand(db: Db, sub: string | undefined, args: string[], json: boolean, out: (t: string) => void): Promise<number> {
  const tenants = new TenantService(db);
  switch (sub) {
    case 'add': {
      const tenant = await tenants.create(inputFromArgs(args));
      out(render(json, tenant, () => `Added tenant ${tenant.id}.\n${record({ ...tenant })}`));
      return 0;
    }
    case 'list': {
      const all = await tenants.list();
      out(render(json, all, () => table(all.map((t) => ({ id: t.id, name: t.name.sv, organisation: t.organisationNumber, environment: t.bankidEnvironment ?? '(BANKID_ENV)' })), ['id', 'name', 'organisation', 'environment'])));
      return 0;
    }
    case 'show': {
      const id = args.find((a) => !a.startsWith('--'));
      if (!id) throw new UsageError('usage: brygga tenants show <id>');
      const tenant = await tenants.get(id);
      out(render(json, tenant, () => record({ ...tenant })));
      return 0;
    }
    default:
      throw new UsageError(TENANTS_HELP);
  }
}
