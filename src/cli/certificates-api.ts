/**
 * `brygga certificates …` against a running broker's admin API: a tenant's certificates under its path, so each
 * command names the tenant. The upload is checked by the broker (with its live call to BankID), not here.
 */
import { callApi, type ApiTarget } from './admin-api.ts';
import { certificateArgs, CERTIFICATES_HELP, uploadFromArgs } from './certificate-args.ts';
import { record, render, table } from './output.ts';
import { UsageError } from './usage.ts';

const COLUMNS: [string, string][] = [['fingerprint', 'FINGERPRINT'], ['state', 'STATE'], ['not_after', 'NOT AFTER'], ['days_left', 'DAYS LEFT'], ['expiry_warning', 'EXPIRY'], ['subject', 'SUBJECT']];

export async function certificatesOverApi(target: ApiTarget, sub: string | undefined, args: string[], json: boolean, out: (t: string) => void): Promise<number> {
  const { values, positionals } = certificateArgs(args);
  if (!values.tenant) throw new UsageError(`over the admin API, certificates ${sub ?? ''} needs --tenant ID\n\n${CERTIFICATES_HELP}`);
  const base = `/tenants/${encodeURIComponent(values.tenant)}/certificates`;
  const fingerprint = () => encodeURIComponent(positionals[0] ?? (() => { throw new UsageError(`usage: brygga certificates ${sub} <fingerprint> --tenant ID`); })());
  switch (sub) {
    case 'list': {
      const { items } = await callApi(target, 'GET', base) as { items: Record<string, unknown>[] };
      out(render(items, json, (rows: Record<string, unknown>[]) => table(rows, COLUMNS)));
      return 0;
    }
    case 'show':
      out(render(await callApi(target, 'GET', `${base}/${fingerprint()}`), json, record));
      return 0;
    case 'add': {
      const { pkcs12, passphrase } = uploadFromArgs(values);
      out(render(await callApi(target, 'POST', base, { pkcs12: pkcs12.toString('base64'), passphrase }), json, record));
      return 0;
    }
    case 'activate':
      out(render(await callApi(target, 'POST', `${base}/${fingerprint()}/activate`), json, record));
      return 0;
    case 'rollback':
      out(render(await callApi(target, 'POST', `${base}/rollback`), json, record));
      return 0;
    case 'remove':
      await callApi(target, 'DELETE', `${base}/${fingerprint()}`);
      out(json ? JSON.stringify({ removed: positionals[0] }) : `Removed ${positionals[0]}.`);
      return 0;
    default:
      throw new UsageError(CERTIFICATES_HELP);
  }
}
