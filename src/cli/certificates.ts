/**
 * `brygga certificates …`: a tenant's BankID RP certificates. `add` checks the PKCS#12 with a live call to BankID
 * (the environment of BANKID_ENV must be reachable: for the simulator, a running `npm run simulator`).
 */
import { endpointsFromConfig } from '../certificates/endpoints.ts';
import { CertificateService, type CertificateView } from '../certificates/service.ts';
import type { Config } from '../config/load.ts';
import { resolveSecrets } from '../config/secrets.ts';
import type { Db } from '../storage/database.ts';
import { SecretBox } from '../storage/encryption.ts';
import { RpCertificateRepository } from '../storage/rp-certificates.ts';
import { TenantRepository } from '../storage/tenants.ts';
import { record, render, table } from './table.ts';
import { UsageError } from './usage.ts';
import { certificateArgs, CERTIFICATES_HELP, uploadFromArgs } from './certificate-args.ts';

const row = (c: CertificateView) => ({ fingerprint: c.fingerprint, tenant: c.tenantId, state: c.state, subject: c.subject, 'not after': c.notAfter.slice(0, 10), 'days left': c.daysLeft, expiry: c.expiry });

export async function certificatesCommand(config: Config, db: Db, sub: string | undefined, args: string[], json: boolean, out: (t: string) => void): Promise<number> {
  const { values, positionals } = certificateArgs(args);
  const service = new CertificateService({
    certificates: new RpCertificateRepository(db, new SecretBox(resolveSecrets(config).encryptionKey)),
    tenants: new TenantRepository(db),
    // Read lazily: only `add` talks to BankID, and the other commands must work without its CA file.
    get endpoints() { return endpointsFromConfig(config); },
    defaultEnvironment: config.bankid.environment,
    client: { timeoutMs: config.bankid.timeoutMs, maintenanceRetries: 0 },
  });
  const fingerprint = () => positionals[0] ?? (() => { throw new UsageError(`usage: brygga certificates ${sub} <fingerprint>`); })();
  const show = (view: CertificateView) => out(render(json, view, () => record({ ...view })));
  switch (sub) {
    case 'add': {
      if (!values.tenant) throw new UsageError('usage: brygga certificates add --tenant ID --file rp.p12 --passphrase-file F');
      show(await service.add({ tenantId: values.tenant, ...uploadFromArgs(values) }));
      return 0;
    }
    case 'list': {
      const all = await service.list(values.tenant);
      out(render(json, all, () => table(all.map(row), ['fingerprint', 'tenant', 'state', 'not after', 'days left', 'expiry', 'subject'])));
      return 0;
    }
    case 'show':
      show(await service.show(fingerprint()));
      return 0;
    case 'activate':
      show(await service.activate(fingerprint()));
      return 0;
    case 'rollback':
      if (!values.tenant) throw new UsageError('usage: brygga certificates rollback --tenant ID');
      show(await service.rollback(values.tenant));
      return 0;
    case 'remove':
      await service.remove(fingerprint());
      out(render(json, { removed: positionals[0] }, () => `Removed ${positionals[0]}.`));
      return 0;
    default:
      throw new UsageError(CERTIFICATES_HELP);
  }
}
