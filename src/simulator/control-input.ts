/**
 * The control API's request bodies. JSON and HTML forms arrive here alike: a form sends every value as text,
 * so flags also accept "true"/"false"/"on" and numbers their decimal form.
 */
import { z } from 'zod';
import { ControlError } from './errors.ts';
import { RP_STATUSES } from './rp-registry.ts';
import { FAULT_ENDPOINTS, FAULT_KINDS, type FaultKind, type FaultPlan } from './faults.ts';

const personalNumber = z.string().regex(/^\d{12}$/, 'personalNumber must be 12 digits (YYYYMMDDNNNN)');
const flag = z.union([z.boolean(), z.enum(['true', 'false', 'on']).transform((v) => v !== 'false')]);
const integer = (min: number, max: number) => z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).pipe(z.number().int().min(min).max(max));
const name = z.string().trim().min(1).max(100);

export const scanInput = z.object({ qr: z.string().min(1).max(200), personalNumber: personalNumber.optional() });
export const openInput = z.object({ autoStartToken: z.string().min(1).max(64), personalNumber: personalNumber.optional(), outdatedApp: flag.optional() });
export const pickInput = z.object({ personalNumber: personalNumber.optional() });
export const mrtdInput = z.object({ passed: flag.default(true) });
export const approveInput = z.object({
  personalNumber: personalNumber.optional(),
  givenName: name.optional(),
  surname: name.optional(),
  risk: z.enum(['low', 'moderate', 'high']).optional(),
  mrtd: flag.optional(),
  blockHighRisk: flag.optional(),
});

export const rpStatusInput = z.object({ status: z.enum(RP_STATUSES) });

/** The errorCode a status stands for when the fault does not name one (rp-api-v6.md §4). */
const CODE_OF_STATUS: Record<number, string> = {
  400: 'invalidParameters', 401: 'unauthorized', 403: 'unauthorized', 404: 'notFound', 405: 'methodNotAllowed',
  408: 'requestTimeout', 415: 'unsupportedMediaType', 500: 'internalError', 503: 'maintenance',
};

/** Big enough to be refused by any client (BankID's answers are kilobytes), small enough to stream quickly. */
const MAX_OVERSIZED_BYTES = 64 * 1024 * 1024;

/** The field each kind of fault cannot do without. */
const NEEDS: Record<FaultKind, 'status' | 'delayMs' | 'bytes' | undefined> = { error: 'status', bare: 'status', delay: 'delayMs', oversized: 'bytes', drop: undefined };

export const faultInput = z.object({
  endpoint: z.enum(FAULT_ENDPOINTS),
  kind: z.enum(FAULT_KINDS).optional(),
  status: integer(400, 599).optional(),
  errorCode: z.string().min(1).max(64).optional(),
  details: z.string().max(500).optional(),
  bytes: integer(1, MAX_OVERSIZED_BYTES).optional(),
  times: integer(1, 1000).default(1),
  delayMs: integer(0, 60_000).default(0),
}).transform((f, ctx): FaultPlan => {
  // Without a kind: a status means a BankID error, a delay alone only slows the call down.
  const kind = f.kind ?? (f.status !== undefined ? 'error' : 'delay');
  const need = NEEDS[kind];
  if (need && !f[need]) ctx.addIssue({ code: 'custom', path: [need], message: `a ${kind} fault needs ${need}` });
  const errorCode = f.errorCode ?? CODE_OF_STATUS[f.status ?? 500] ?? 'internalError';
  return { ...f, kind, errorCode, details: f.details ?? `Injected ${errorCode}` };
});

export function parseInput<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new ControlError(issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message);
}
