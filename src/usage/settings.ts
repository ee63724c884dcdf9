/**
 * A tenant's usage settings: the time zone its reports count days and months in, and which operations' completed
 * orders its contract bills. Checked here for the tenant service; the database checks the zone too (it buckets in it).
 */
import type { BankIdOrdersTable } from '../storage/schema.ts';

type Operation = BankIdOrdersTable['operation'];

/** Every operation an order (and so a ledger row) can have. */
export const OPERATIONS = ['auth', 'sign', 'payment', 'phone_auth', 'phone_sign'] as const satisfies readonly Operation[];
// A new operation of the orders must be added above: this line stops compiling until it is.
const complete: Exclude<Operation, (typeof OPERATIONS)[number]> extends never ? true : never = true;
void complete;

/** As the migrations set them: Swedish time; identifications and signatures (DIGG's framework), and payments (0020). */
export const DEFAULT_TIME_ZONE = 'Europe/Stockholm';
export const DEFAULT_BILLABLE: readonly string[] = ['auth', 'sign', 'payment'];

// An IANA name (`Europe/Stockholm`, `UTC`); offsets such as `+01:00`, which Postgres reads as POSIX (sign reversed), are not.
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;

/** Why `value` is no time zone this process knows by its IANA name; undefined when it is one. */
export function timeZoneProblem(value: unknown): string | undefined {
  const problem = 'must be an IANA time zone such as Europe/Stockholm';
  if (typeof value !== 'string' || value.length > 64 || !ZONE_NAME.test(value)) return problem;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return undefined;
  } catch {
    return problem;
  }
}

/** Why `value` is no list of billable operations; undefined when it is one. */
export function billableProblem(value: unknown): string | undefined {
  const known = new Set<string>(OPERATIONS);
  return Array.isArray(value) && value.length > 0 && value.every((op) => typeof op === 'string' && known.has(op)) && new Set(value).size === value.length
    ? undefined : `must be a non-empty list of distinct operations of ${OPERATIONS.join(', ')}`;
}
