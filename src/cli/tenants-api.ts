/** `brygga tenants …` against a running broker's admin API: the broker validates and audits, this prints the answer. */
import type { TenantInput } from '../tenants/service.ts';
import { allPages, callApi, idArg, type ApiTarget } from './admin-api.ts';
import { takeValue } from './options.ts';
import { record, render, table } from './output.ts';
import { tenantFromArgs, TENANTS_HELP } from './tenant-args.ts';
import { UsageError } from './usage.ts';

const COLUMNS: [string, string][] = [['id', 'ID'], ['name_sv', 'NAME'], ['organisation_number', 'ORGANISATION'], ['bankid_environment', 'ENVIRONMENT']];

/** The service's field names as the API's. */
function apiBody(input: Partial<TenantInput>): Record<string, unknown> {
  const body = {
    id: input.id, name: input.name, organisation_number: input.organisationNumber, contacts: input.contacts, bankid_environment: input.bankidEnvironment,
    policy: input.policy, time_zone: input.timeZone, billable_operations: input.billableOperations,
  };
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
}

export async function tenantsOverApi(target: ApiTarget, sub: string | undefined, args: string[], json: boolean, out: (t: string) => void): Promise<number> {
  switch (sub) {
    case 'list': {
      const query = new URLSearchParams({ limit: '200' });
      const search = takeValue(args, 'search');
      if (search) query.set('q', search);
      const rows = await allPages(target, '/tenants', query);
      out(render(rows, json, (all: Record<string, unknown>[]) => table(all.map((r) => ({ ...r, name_sv: (r.name as { sv: string }).sv, bankid_environment: r.bankid_environment ?? '(BANKID_ENV)' })), COLUMNS)));
      return 0;
    }
    case 'show':
      out(render(await callApi(target, 'GET', `/tenants/${idArg(args, 'brygga tenants show <id>')}`), json, record));
      return 0;
    case 'add':
      out(render(await callApi(target, 'POST', '/tenants', apiBody(tenantFromArgs(args))), json, record));
      return 0;
    case 'update': {
      const id = idArg(args, 'brygga tenants update <id> [flags|--file F]');
      out(render(await callApi(target, 'PATCH', `/tenants/${id}`, apiBody(tenantFromArgs(args.slice(1)))), json, record));
      return 0;
    }
    case 'remove': {
      const id = idArg(args, 'brygga tenants remove <id>');
      await callApi(target, 'DELETE', `/tenants/${id}`);
      out(json ? JSON.stringify({ removed: decodeURIComponent(id) }) : `Removed ${decodeURIComponent(id)}.`);
      return 0;
    }
    default:
      throw new UsageError(TENANTS_HELP);
  }
}
