/** How a failed command ends: one readable line on stderr, never a stack trace, and a non-zero exit code. */
import { resolve } from 'node:path';
import { ConfigError, type Config } from '../config/load.ts';
import { BrokerError } from '../errors/catalogue.ts';
import { ApiError } from './admin-api.ts';
import { UsageError } from './usage.ts';

/** The database could not be opened or did not answer: says which one (without credentials) and why. */
export function databaseUnavailable(where: string, cause: unknown): BrokerError {
  return new BrokerError('database_unavailable', `cannot reach ${where}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
}

/** Which database the command uses, as an operator would recognise it. */
export function describeDatabase({ url, dataDir }: Config['database']): string {
  if (!url) return `the embedded database in ${resolve(dataDir)} (DATA_DIR)`;
  const parsed = new URL(url);
  const host = parsed.searchParams.get('host') ?? `${parsed.hostname}:${parsed.port || '5432'}`;
  return `database "${decodeURIComponent(parsed.pathname.slice(1))}" at ${host} (DATABASE_URL)`;
}

/** The line to print and the exit code: 2 for a wrong call or setting (its message may be a usage text), else 1. */
export function failure(err: unknown): { text: string; exitCode: number } {
  if (err instanceof ConfigError || err instanceof UsageError) return { text: `brygga: ${err.message}`, exitCode: 2 };
  // The broker's refusal keeps its lines (one per wrong field).
  if (err instanceof ApiError) return { text: `brygga: ${err.message}`, exitCode: err.exitCode };
  const message = (err instanceof Error ? err.message : String(err)).trim().replace(/\s*\n\s*/g, ' ');
  // Errors from the catalogue carry their stable code, for scripts and for searching the docs.
  return { text: `brygga: ${message}${err instanceof BrokerError ? ` [${err.code}]` : ''}`, exitCode: 1 };
}
