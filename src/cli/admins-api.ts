/** `brygga admins …` against a running broker's admin API: the broker checks who may manage whom, and audits. */
import { allPages, callApi, idArg, type ApiTarget } from './admin-api.ts';
import { ADMIN_COLUMNS, adminFromArgs, ADMINS_HELP } from './admin-args.ts';
import { record, render, table } from './output.ts';
import { UsageError } from './usage.ts';

export async function adminsOverApi(target: ApiTarget, sub: string | undefined, args: string[], json: boolean, out: (t: string) => void): Promise<number> {
  const { body, search } = adminFromArgs(args);
  switch (sub) {
    case 'list': {
      const query = new URLSearchParams({ limit: '200' });
      for (const [param, value] of [['tenant_id', body.tenant_id], ['role', body.role], ['q', search]] as const) if (typeof value === 'string') query.set(param, value);
      out(render(await allPages(target, '/admins', query), json, (rows: Record<string, unknown>[]) => table(rows, ADMIN_COLUMNS)));
      return 0;
    }
    case 'show':
      out(render(await callApi(target, 'GET', `/admins/${idArg(args, 'brygga admins show <id>')}`), json, record));
      return 0;
    case 'add':
      out(render(await callApi(target, 'POST', '/admins', body), json, record));
      return 0;
    case 'update':
      out(render(await callApi(target, 'PATCH', `/admins/${idArg(args, 'brygga admins update <id> [--name N] [--role R] [--tenant ID|--no-tenant]')}`, body), json, record));
      return 0;
    case 'remove': {
      const id = idArg(args, 'brygga admins remove <id>');
      await callApi(target, 'DELETE', `/admins/${id}`);
      out(json ? JSON.stringify({ removed: decodeURIComponent(id) }) : `Removed ${decodeURIComponent(id)}.`);
      return 0;
    }
    default:
      throw new UsageError(ADMINS_HELP);
  }
}
