/**
 * `brygga clients …` and `brygga audit` against a running broker's admin API (`--url`/`--token` or
 * BRYGGA_URL/BRYGGA_TOKEN): what works while an embedded-database broker holds the data directory. The broker
 * validates and audits every change; this only carries it there and prints the answer.
 */
import { allPages, callApi, idArg, type ApiTarget } from './admin-api.ts';
import { ADD_HELP, metadataFromArgs } from './client-args.ts';
import { takeValue } from './options.ts';
import { record, render, table } from './output.ts';
import { UsageError } from './usage.ts';

const CLIENT_COLUMNS: [string, string][] = [['client_id', 'CLIENT ID'], ['tenant_id', 'TENANT'], ['client_name', 'NAME'], ['token_endpoint_auth_method', 'AUTH'], ['created_at', 'CREATED']];
const AUDIT_COLUMNS: [string, string][] = [['at', 'AT'], ['actor', 'ACTOR'], ['tenant_id', 'TENANT'], ['action', 'ACTION'], ['object_type', 'TYPE'], ['object_id', 'OBJECT'], ['request_id', 'REQUEST']];
const SHOWN_ONCE = '\nThe client secret is shown this once: store it now.';

const withSecretNote = (value: Record<string, unknown>) => record(value) + (value.client_secret ? SHOWN_ONCE : '');

export async function clientsOverApi(target: ApiTarget, sub: string | undefined, args: string[], json: boolean, out: (t: string) => void): Promise<number> {
  switch (sub) {
    case 'list': {
      const query = new URLSearchParams({ limit: '200' });
      const tenant = takeValue(args, 'tenant');
      const search = takeValue(args, 'search');
      if (tenant) query.set('tenant_id', tenant);
      if (search) query.set('q', search);
      out(render(await allPages(target, '/clients', query), json, (rows: Record<string, unknown>[]) => table(rows, CLIENT_COLUMNS)));
      return 0;
    }
    case 'show':
      out(render(await callApi(target, 'GET', `/clients/${idArg(args, 'brygga clients show <client_id>')}`), json, record));
      return 0;
    case 'add': {
      const { metadata, tenant } = metadataFromArgs(args);
      const body = { ...metadata, ...(tenant ? { tenant_id: tenant } : {}) };
      out(render(await callApi(target, 'POST', '/clients', body), json, withSecretNote));
      return 0;
    }
    case 'update': {
      const id = idArg(args, 'brygga clients update <client_id> [flags|--file F]');
      out(render(await callApi(target, 'PATCH', `/clients/${id}`, metadataFromArgs(args.slice(1)).metadata), json, withSecretNote));
      return 0;
    }
    case 'remove': {
      const id = idArg(args, 'brygga clients remove <client_id>');
      await callApi(target, 'DELETE', `/clients/${id}`);
      out(json ? JSON.stringify({ removed: decodeURIComponent(id) }) : `Removed ${decodeURIComponent(id)}.`);
      return 0;
    }
    case 'rotate-secret': {
      const grace = takeValue(args, 'grace');
      const id = idArg(args, 'brygga clients rotate-secret <client_id> [--grace SECONDS]');
      if (grace !== undefined && !/^\d+$/.test(grace)) throw new UsageError('--grace takes a number of seconds');
      const body = grace === undefined ? {} : { grace_seconds: Number(grace) };
      out(render(await callApi(target, 'POST', `/clients/${id}/secret`, body), json, withSecretNote));
      return 0;
    }
    default:
      throw new UsageError(`usage: brygga clients add|list|show|update|remove|rotate-secret --url URL --token TOKEN [--json]\n\n${ADD_HELP}`);
  }
}

export async function auditOverApi(target: ApiTarget, args: string[], json: boolean, out: (t: string) => void): Promise<number> {
  const query = new URLSearchParams({ limit: '200' });
  for (const [flag, param] of [['object-type', 'object_type'], ['object-id', 'object_id'], ['actor', 'actor'], ['from', 'from'], ['to', 'to']] as const) {
    const value = takeValue(args, flag);
    if (value !== undefined) query.set(param, value);
  }
  if (args.length) throw new UsageError(`unknown option ${args[0]}; brygga audit [--object-type T] [--object-id ID] [--actor A] [--from ISO] [--to ISO]`);
  out(render(await allPages(target, '/audit', query), json, (rows: Record<string, unknown>[]) => table(rows, AUDIT_COLUMNS)));
  return 0;
}
