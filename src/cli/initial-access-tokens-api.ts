/** `brygga initial-access-tokens …` against a running broker's admin API: the broker issues, checks and audits. */
import { allPages, callApi, type ApiTarget } from './admin-api.ts';
import { SHOWN_ONCE, TOKEN_COLUMNS, tokenArgs } from './token-args.ts';
import { record, render, table } from './output.ts';

export async function initialAccessTokensOverApi(target: ApiTarget, sub: string | undefined, args: string[], json: boolean, out: (t: string) => void): Promise<number> {
  const { tenant, expiresIn, id } = tokenArgs(sub, args);
  const base = `/tenants/${encodeURIComponent(tenant)}/initial-access-tokens`;
  switch (sub) {
    case 'issue': {
      const issued = await callApi(target, 'POST', base, expiresIn === undefined ? {} : { expires_in: expiresIn });
      out(render(issued, json, (value: Record<string, unknown>) => record(value) + SHOWN_ONCE));
      return 0;
    }
    case 'list':
      out(render(await allPages(target, base, new URLSearchParams({ limit: '200' })), json, (rows: Record<string, unknown>[]) => table(rows, TOKEN_COLUMNS)));
      return 0;
    default:
      await callApi(target, 'DELETE', `${base}/${encodeURIComponent(id!)}`);
      out(json ? JSON.stringify({ revoked: id }) : `Revoked ${id}.`);
      return 0;
  }
}
