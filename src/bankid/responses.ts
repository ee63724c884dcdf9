/**
 * Defensive parsing of RP API success bodies: unknown fields are dropped (BankID adds them without a
 * version bump, rp-api-v6.md §1.2), unknown hintCodes are kept as strings, missing required fields fail.
 */
import { z } from 'zod';
import { NO_ERROR_CODE, UnknownBankIdError } from './errors.ts';
import type { HttpResult } from './transport.ts';
import type { CollectResponse, OrderResponse, PhoneOrderResponse } from './types.ts';

const orderRef = z.string().min(1);

const orderResponse = z.object({
  orderRef,
  autoStartToken: z.string().min(1),
  qrStartToken: z.string().min(1),
  qrStartSecret: z.string().min(1),
});

const phoneOrderResponse = z.object({ orderRef });

const completionData = z.object({
  user: z.object({ personalNumber: z.string(), name: z.string(), givenName: z.string(), surname: z.string() }),
  device: z.object({ ipAddress: z.string(), uhi: z.string().optional() }),
  bankIdIssueDate: z.string().optional(),
  stepUp: z.object({ mrtd: z.boolean() }).optional(),
  signature: z.string().min(1),
  ocspResponse: z.string().min(1),
  // An unknown risk level fails the parse on purpose: a completion whose risk we cannot judge is not accepted.
  risk: z.enum(['low', 'moderate', 'high']).optional(),
});

const collectResponse = z.discriminatedUnion('status', [
  z.object({ orderRef, status: z.literal('pending'), hintCode: z.string().catch('') }),
  z.object({ orderRef, status: z.literal('failed'), hintCode: z.string().catch('') }),
  z.object({ orderRef, status: z.literal('complete'), completionData }),
]);

function parse<T>(schema: z.ZodType<T>, endpoint: string, { status, body }: HttpResult): T {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new UnknownBankIdError(status, NO_ERROR_CODE, `${endpoint}: the answer is not JSON`);
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const where = result.error.issues.map((i) => i.path.join('.') || '(body)').join(', ');
    throw new UnknownBankIdError(status, NO_ERROR_CODE, `${endpoint}: unexpected answer at ${where}`);
  }
  return result.data;
}

export const parseOrderResponse = (result: HttpResult): OrderResponse => parse(orderResponse, 'order', result);
export const parsePhoneOrderResponse = (result: HttpResult): PhoneOrderResponse => parse(phoneOrderResponse, 'phone order', result);
export const parseCollectResponse = (result: HttpResult): CollectResponse => parse(collectResponse, 'collect', result);
