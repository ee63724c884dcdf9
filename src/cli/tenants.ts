/** `brygga tenants …`: add, list and show tenants (organisations with their own BankID agreement). */
import type { Db } from '../storage/database.ts';
import { TenantService, type TenantInput } from '../tenants/service.ts';
import { record, render, table } from './table.ts';
import { UsageError } from './usage.ts';
import { tenantFromArgs, TENANTS_HELP } from './tenant-args.ts';

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
