/**
 * `brygga admins …`: the console's admins. Against the database for first setup (the first broker admin, before
 * anyone can sign in), checked by the admin API's own schema; with --url through the admin API, audited there.
 */
import { adminCreate } from '../admin/schemas/admin.ts';
import type { Config } from '../config/load.ts';
import { derivedKey, resolveSecrets } from '../config/secrets.ts';
import { ADMIN_PERSONAL_NUMBER_KEY, AdminStore, type AdminRole } from '../storage/admins.ts';
import type { Db } from '../storage/database.ts';
import { TenantRepository } from '../storage/tenants.ts';
import { record, render, table } from './output.ts';
import { UsageError } from './usage.ts';
import { ADMIN_COLUMNS, adminFromArgs, ADMINS_HELP } from './admin-args.ts';

const view = (a: { id: string; displayName: string; role: string; tenantId: string | null; createdAt: Date }) =>
  ({ id: a.id, display_name: a.displayName, role: a.role, tenant_id: a.tenantId, created_at: a.createdAt.toISOString() });

export async function adminsCommand(config: Config, db: Db, sub: string | undefined, args: string[], json: boolean, out: (t: string) => void): Promise<number> {
  const admins = new AdminStore(derivedKey(resolveSecrets(config), ADMIN_PERSONAL_NUMBER_KEY));
  const { body, positionals, search } = adminFromArgs(args);
  switch (sub) {
    case 'add': {
      const parsed = adminCreate.safeParse(body);
      if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`).join('\n'));
      const { personal_number: personalNumber, display_name: displayName, role, tenant_id: tenantId = null } = parsed.data;
      if ((role === 'broker_admin') !== (tenantId === null)) throw new UsageError(role === 'broker_admin' ? 'a broker_admin has no --tenant' : `a ${role} needs --tenant ID`);
      if (tenantId !== null && !(await new TenantRepository(db).find(tenantId))) throw new UsageError(`no tenant ${tenantId}`);
      const added = await admins.insert(db, personalNumber, { displayName, role, tenantId });
      if (!added) throw new UsageError(`this person is already an admin ${tenantId === null ? 'as broker_admin' : `of tenant ${tenantId}`}`);
      out(render(view(added), json, record));
      return 0;
    }
    case 'list': {
      const all = (await admins.list(db, { tenantId: body.tenant_id as string | undefined, role: body.role as AdminRole | undefined, search, limit: 10_000 })).map(view);
      out(render(all, json, (rows: Record<string, unknown>[]) => table(rows, ADMIN_COLUMNS)));
      return 0;
    }
    case 'remove': {
      const id = positionals[0];
      if (!id) throw new UsageError('usage: brygga admins remove <id>');
      if (!(await admins.get(db, id))) throw new UsageError(`no admin ${id}`);
      await admins.remove(db, id);
      out(json ? JSON.stringify({ removed: id }) : `Removed ${id}.`);
      return 0;
    }
    default:
      throw new UsageError(ADMINS_HELP);
  }
}
