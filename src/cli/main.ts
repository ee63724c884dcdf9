/**
 * The `brygga` command line: migrations, clients and signing keys, against the same database as the server. Each
 * command loads only its own modules, and the database starts on its thread while they load: a command is a process
 * of its own, and loading every command's modules (oidc-provider, the BankID client, …) for each one was most of a
 * short command's time.
 */
import { loadConfig, type Config } from '../config/load.ts';
import type { Logger } from '../observability/logger.ts';
import type { DatabaseHandle, Db } from '../storage/database.ts';
import type { ApiTarget } from './admin-api.ts';
import { databaseUnavailable, describeDatabase, failure } from './failure.ts';
import { takeFlag, takeValue } from './options.ts';
import { UsageError } from './usage.ts';

const USAGE = `Usage: brygga <command>

  migrate                          apply pending database migrations
  clients add [flags|--file F]     register a client; prints it with its secret (shown once)
  clients list                     list clients
  clients show <client_id>         show one client (without its secret)
  clients remove <client_id>       delete a client
  keys rotate [--propagation S]    add new signing keys, used after S seconds (default 600)
  keys list                        list signing keys and their state
  tenants add|list|show            organisations with their own BankID agreement and policy
  tariffs list|add --tenant T      a tenant's price per billable transaction, from a day on
  certificates add|list|show|activate|rollback|remove   a tenant's BankID RP certificates
  admins add|list|remove           console admins (first setup: the first broker_admin)
  initial-access-tokens issue|list|revoke --tenant T   tokens that let a tenant register its own clients (RFC 7591)
  usage --tenant T --month YYYY-MM [--by day] [--format table|csv|json]   BankID usage per client and certificate

Against a running broker's admin API (--url URL --token TOKEN, or BRYGGA_URL and BRYGGA_TOKEN), which works while
the broker holds the embedded database; tables by default, --json for scripts:
  clients list [--tenant T] [--search S]
  clients add [flags|--file F] [--tenant T]
  clients show|remove <client_id>
  clients update <client_id> [flags|--file F]   change only what is given
  clients rotate-secret <client_id> [--grace S]  new secret; the old one works S more seconds
  audit [--object-type T] [--object-id ID] [--actor A] [--from ISO] [--to ISO]
  tenants list|show|add|update|remove            tenants, audited by the broker
  tariffs list|add --tenant T                    tariffs, audited by the broker
  certificates list|show|add|activate|rollback|remove --tenant T   checked live with BankID by the broker
  admins list|show|add|update|remove             console admins (a tenant admin manages its own tenant's)
  initial-access-tokens issue|list|revoke --tenant T

Without --url the database is DATABASE_URL, or the embedded one in DATA_DIR (stop the server first: it can have
one user). Add --json to a list or show for JSON. Run "brygga clients add --help" for the client flags, "brygga
tenants", "brygga certificates", "brygga admins" and "brygga initial-access-tokens" for theirs.
Exit codes: 0 done; 1 failed (database or broker unreachable, server error, or refused: the message ends with the
error code, e.g. [certificate_rejected]); 2 wrong command, setting or input, or no such object; 3 the token was
refused (401/403).`;

type Out = (text: string) => void;
type OverApi = (target: ApiTarget, sub: string | undefined, args: string[], json: boolean, out: Out) => Promise<number>;
type OnDatabase = (config: Config, db: Db, sub: string | undefined, args: string[], json: boolean, out: Out) => Promise<number>;

/** The commands that also work over a running broker's admin API. */
const OVER_API: Record<'clients' | 'tenants' | 'tariffs' | 'certificates' | 'admins' | 'initial-access-tokens', () => Promise<OverApi>> = {
  clients: async () => (await import('./clients-api.ts')).clientsOverApi,
  tenants: async () => (await import('./tenants-api.ts')).tenantsOverApi,
  tariffs: async () => (await import('./tariffs-api.ts')).tariffsOverApi,
  certificates: async () => (await import('./certificates-api.ts')).certificatesOverApi,
  admins: async () => (await import('./admins-api.ts')).adminsOverApi,
  'initial-access-tokens': async () => (await import('./initial-access-tokens-api.ts')).initialAccessTokensOverApi,
};

/** The commands on the database directly. */
const ON_DATABASE: Record<keyof typeof OVER_API | 'keys', () => Promise<OnDatabase>> = {
  clients: async () => {
    const [{ clientsCommand }, logger] = await Promise.all([import('./clients.ts'), commandLogger()]);
    return (config, db, sub, args, _json, out) => clientsCommand(config, db, logger(config), sub, args, out);
  },
  tenants: async () => {
    const { tenantsCommand } = await import('./tenants.ts');
    return (_config, db, sub, args, json, out) => tenantsCommand(db, sub, args, json, out);
  },
  tariffs: async () => {
    const { tariffsCommand } = await import('./tariffs.ts');
    return (_config, db, sub, args, json, out) => tariffsCommand(db, sub, args, json, out);
  },
  certificates: async () => (await import('./certificates.ts')).certificatesCommand,
  admins: async () => (await import('./admins.ts')).adminsCommand,
  'initial-access-tokens': async () => {
    const [{ initialAccessTokensCommand }, logger] = await Promise.all([import('./initial-access-tokens.ts'), commandLogger()]);
    return (config, db, sub, args, json, out) => initialAccessTokensCommand(config, db, logger(config), sub, args, json, out);
  },
  keys: async () => {
    const { keysCommand } = await import('./keys.ts');
    return (config, db, sub, args, _json, out) => keysCommand(config, db, sub, args, out);
  },
};

/** The logger of the commands that build oidc-provider (it logs through it): warnings only. */
async function commandLogger(): Promise<(config: Config) => Logger> {
  const { createLogger } = await import('../observability/logger.ts');
  return (config) => createLogger({ ...config.log, level: 'warn' });
}

/** How long a command waits for the database before it gives up with a message. */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * Opens the configured database, checks it answers, brings it up to date, runs `fn` with what was applied, and
 * closes it. `loading` (the command's modules, being imported) is awaited only after the database has been started.
 */
async function withDatabase<T, C = undefined>(config: Config, fn: (db: DatabaseHandle, command: C, applied: string[]) => Promise<T>, loading?: Promise<C>): Promise<T> {
  // Failing while the database starts, the loading is not left unhandled; it is awaited (and throws) below.
  loading?.catch(() => {});
  const where = describeDatabase(config.database);
  const [{ checkDatabase, DataDirLockedError, openDatabase }, { migrateToLatest }] = await Promise.all([import('../storage/database.ts'), import('../storage/migrator.ts')]);
  const handle = await openDatabase({ url: config.database.url, dataDir: config.database.dataDir, poolSize: 2, connectTimeoutMs: CONNECT_TIMEOUT_MS })
    .catch((err: unknown) => { throw err instanceof DataDirLockedError ? err : databaseUnavailable(where, err); });
  try {
    await checkDatabase(handle.db, CONNECT_TIMEOUT_MS).catch((err: unknown) => { throw databaseUnavailable(where, err); });
    const applied = await migrateToLatest(handle.db);
    return await fn(handle, await (loading as Promise<C>), applied);
  } finally {
    await handle.close();
  }
}

export async function run(argv: string[], out: Out): Promise<number> {
  const [command, sub, ...rest] = argv;
  if (!command || command === '--help' || command === 'help') {
    out(USAGE);
    return command ? 0 : 2;
  }
  const config = loadConfig();
  switch (command) {
    case 'migrate':
      return withDatabase(config, async (_handle, _none, applied) => {
        out(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
        return 0;
      });
    case 'clients':
    case 'tenants':
    case 'tariffs':
    case 'certificates':
    case 'admins':
    case 'initial-access-tokens':
    case 'audit': {
      const args = command === 'audit' ? [sub, ...rest].filter((a) => a !== undefined) : rest;
      const url = takeValue(args, 'url') ?? config.cli.url;
      const token = takeValue(args, 'token') ?? config.cli.token;
      const json = takeFlag(args, 'json');
      if (url !== undefined) {
        if (!/^https?:\/\/[^/]/.test(url)) throw new UsageError(`--url must be the broker's http(s) base URL, not ${url}`);
        const target = { url: url.replace(/\/$/, ''), token };
        if (command === 'audit') return (await import('./clients-api.ts')).auditOverApi(target, args, json, out);
        return (await OVER_API[command]())(target, sub, args, json, out);
      }
      if (command === 'audit') throw new UsageError('brygga audit reads a running broker\'s admin API: give --url and --token (or BRYGGA_URL and BRYGGA_TOKEN)');
      return withDatabase(config, (h, onDatabase) => onDatabase(config, h.db, sub, args, json, out), ON_DATABASE[command]());
    }
    case 'keys':
      return withDatabase(config, (h, keys) => keys(config, h.db, sub, rest, false, out), ON_DATABASE.keys());
    case 'usage': {
      const { fromApi, fromDatabase, printUsage, usageRequest } = await import('./usage-report.ts');
      const args = [sub, ...rest].filter((a) => a !== undefined);
      const url = takeValue(args, 'url') ?? config.cli.url;
      const token = takeValue(args, 'token') ?? config.cli.token;
      const request = usageRequest(args);
      const report = url !== undefined
        ? await fromApi({ url: url.replace(/\/$/, ''), token }, request)
        : await withDatabase(config, (h) => fromDatabase(h.db, request));
      out(printUsage(report, request.format));
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
  }
}

function fail(err: unknown): never {
  const { text, exitCode } = failure(err);
  process.stderr.write(`${text}\n`);
  // Exit now: a connection the database left half-open (a refused login, a dead server) would keep the command alive.
  process.exit(exitCode);
}
// Errors outside the command's own await chain (a socket's EPIPE, a closed stdout) end the same way.
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

try {
  process.exitCode = await run(process.argv.slice(2), (text) => process.stdout.write(`${text}\n`));
} catch (err) {
  fail(err);
}
