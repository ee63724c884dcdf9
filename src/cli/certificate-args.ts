/** `brygga certificates`' flags and the files they name, on the database and over the admin API alike. */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UsageError } from './usage.ts';

export const CERTIFICATES_HELP = `Usage: brygga certificates add|list|show|activate|rollback|remove [--json]
(over the admin API, with --url, every command but add and list also needs --tenant ID)

  certificates add --tenant ID --file rp.p12 --passphrase-file F   check (with a live call to BankID) and stage
  certificates list [--tenant ID]
  certificates show <fingerprint>
  certificates activate <fingerprint>     the tenant's next orders use it, on every replica; the old one is retired
  certificates rollback --tenant ID       re-activate the tenant's most recently retired certificate
  certificates remove <fingerprint>       delete a staged or retired certificate and its key`;

export function certificateArgs(args: string[]) {
  return parseArgs({
    args, strict: true, allowPositionals: true,
    options: { tenant: { type: 'string' }, file: { type: 'string' }, 'passphrase-file': { type: 'string' } },
  });
}

/** The PKCS#12 and its passphrase named by `--file` and `--passphrase-file`. */
export function uploadFromArgs(values: { file?: string; 'passphrase-file'?: string }): { pkcs12: Buffer; passphrase: string } {
  if (!values.file) throw new UsageError('usage: brygga certificates add --tenant ID --file rp.p12 --passphrase-file F');
  const pkcs12 = readOrUsage(values.file, 'the certificate file');
  const passphrase = values['passphrase-file'] ? readOrUsage(values['passphrase-file'], 'the passphrase file').toString('utf8').replace(/\r?\n$/, '') : '';
  return { pkcs12, passphrase };
}

function readOrUsage(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${path}: ${(err as Error).message}`);
  }
}
