/**
 * The control API's request bodies. JSON and HTML forms arrive here alike: a form sends every value as text,
 * so flags also accept "true"/"false"/"on" and numbers their decimal form.
 */
import { z } from 'zod';
import { ControlError } from './errors.ts';
import { FAULT_ENDPOINTS } from './faults.ts';

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

/** The errorCode a status stands for when the fault does not name one (rp-api-v6.md §4). */
const CODE_OF_STATUS: Record<number, string> = {
  400: 'invalidParameters', 401: 'unauthorized', 403: 'unauthorized', 404: 'notFound', 405: 'methodNotAllowed',
  408: 'requestTimeout', 415: 'unsupportedMediaType', 500: 'internalError', 503: 'maintenance',
};

export const faultInput = z.object({
  endpoint: z.enum(FAULT_ENDPOINTS),
  status: integer(400, 599).optional(),
  errorCode: z.string().min(1).max(64).optional(),
  details: z.string().max(500).optional(),
  times: integer(1, 1000).default(1),
  delayMs: integer(0, 60_000).default(0),
}).refine((f) => f.status !== undefined || f.delayMs > 0, 'give a status, a delayMs, or both')
  .transform((f) => {
    const errorCode = f.errorCode ?? CODE_OF_STATUS[f.status ?? 500] ?? 'internalError';
    return { ...f, errorCode, details: f.details ?? `Injected ${errorCode}` };
  });

export function parseInput<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new ControlError(issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message);
}
