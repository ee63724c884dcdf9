/**
 * Validation of RP API request bodies (rp-api-v6.md §2 and the §11 checklist). Anything wrong is
 * `400 invalidParameters`; unknown fields are dropped, as BankID ignores them; fields removed in v6 are refused.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { RISK_FLAGS, type AppDeviceData, type Operation, type Requirement, type RiskFlag, type UserVisibleTransaction, type WebDeviceData } from '../bankid/types.ts';
import { invalidParameters } from './errors.ts';

export type StartEndpoint = 'auth' | 'sign' | 'payment' | 'phone/auth' | 'phone/sign';

export const OPERATION_OF: Record<StartEndpoint, Operation> = {
  auth: 'auth', sign: 'sign', payment: 'payment', 'phone/auth': 'phoneAuth', 'phone/sign': 'phoneSign',
};

/** A start request as the simulator keeps it: texts still base64, exactly as the RP sent them (they are signed). */
export interface OrderRequest {
  endUserIp?: string;
  requirement: Requirement;
  userVisibleData?: string;
  userVisibleDataFormat?: 'simpleMarkdownV1';
  userNonVisibleData?: string;
  returnUrl?: string;
  returnRisk?: boolean;
  web?: Partial<WebDeviceData>;
  app?: Partial<AppDeviceData>;
  userVisibleTransaction?: UserVisibleTransaction;
  riskFlags?: RiskFlag[];
  /** Phone orders only: who BankID calls, and who started the call. */
  personalNumber?: string;
  callInitiator?: 'user' | 'RP';
}

const LIMITS = { visibleAuth: 1_500, visibleSign: 40_000, nonVisible: 200_000 } as const;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

const base64 = (max: number) => z.string().min(1).max(max).regex(BASE64, 'not base64');
/** Visible text is shown to the user, so it must also decode to UTF-8. */
const visibleText = (max: number) => base64(max).refine((v) => isUtf8(v), 'not base64 of UTF-8 text');
const personalNumber = z.string().regex(/^\d{12}$/, 'not 12 digits (YYYYMMDDNNNN)');
/** An OID, optionally ending in one `*` from the fifth component on (rp-api-v6.md §1.5). */
const policy = z.string().regex(/^(?:\d+\.){3,}(?:\d+|\*)$/, 'not a certificate policy OID');

const sharedRequirement = {
  pinCode: z.boolean().optional(),
  cardReader: z.enum(['class1', 'class2']).optional(),
  certificatePolicies: z.array(policy).min(1).optional(),
};
const requirement = z.object({ ...sharedRequirement, mrtd: z.boolean().optional(), personalNumber: personalNumber.optional() });
const phoneRequirement = z.object(sharedRequirement);

const web = z.object({
  referringDomain: z.string().min(3).max(253).optional(),
  userAgent: z.string().min(1).max(256).optional(),
  deviceIdentifier: z.string().min(1).max(64).optional(),
});
// BankID publishes no limits for `app`; these mirror `web` [U].
const app = z.object({
  appIdentifier: z.string().min(1).max(256).optional(),
  deviceOS: z.string().min(1).max(256).optional(),
  deviceModelName: z.string().min(1).max(256).optional(),
  deviceIdentifier: z.string().min(1).max(64).optional(),
});

const userVisibleTransaction = z.object({
  transactionType: z.enum(['card', 'npa']),
  recipient: z.object({ name: z.string().min(1) }),
  money: z.object({ amount: z.string().regex(/^\d+(?:,\d+)?$/, 'not an amount like 1000,00'), currency: z.string().regex(/^[A-Z]{3}$/, 'not an ISO 4217 code') }).optional(),
  riskWarning: z.string().min(1).optional(),
}).refine((t) => !(t.transactionType === 'npa' && t.money), { message: 'money is not allowed with transactionType npa', path: ['money'] });

/** The texts every start request may carry; `userVisibleData` is required when signing. */
function texts(visibleMax: number, visibleRequired: boolean) {
  return {
    userVisibleData: visibleRequired ? visibleText(visibleMax) : visibleText(visibleMax).optional(),
    userVisibleDataFormat: z.literal('simpleMarkdownV1').optional(),
    userNonVisibleData: base64(LIMITS.nonVisible).optional(),
  };
}

function webOrder(visibleMax: number, visibleRequired: boolean) {
  return {
    ...texts(visibleMax, visibleRequired),
    endUserIp: z.string().refine((v) => isIP(v) !== 0, 'not an IP address'),
    requirement: requirement.default({}),
    returnUrl: z.string().min(1).max(512).optional(),
    returnRisk: z.boolean().optional(),
    web: web.optional(),
    app: app.optional(),
  };
}

function phoneOrder(visibleMax: number, visibleRequired: boolean) {
  return {
    personalNumber,
    callInitiator: z.enum(['user', 'RP']),
    requirement: phoneRequirement.default({}),
    ...texts(visibleMax, visibleRequired),
  };
}

/** `web` and `app` describe the same device in two ways; BankID takes one of them [U]. */
const notBoth = (o: { web?: object; app?: object }) => !(o.web && o.app);
const notBothMessage = { message: 'send either web or app, not both', path: ['app'] };

const SCHEMAS: Record<StartEndpoint, z.ZodType<OrderRequest>> = {
  auth: z.object(webOrder(LIMITS.visibleAuth, false)).refine(notBoth, notBothMessage),
  sign: z.object(webOrder(LIMITS.visibleSign, true)).refine(notBoth, notBothMessage),
  payment: z.object({ ...webOrder(LIMITS.visibleAuth, false), userVisibleTransaction, riskFlags: z.array(z.enum(RISK_FLAGS)).optional() }).refine(notBoth, notBothMessage),
  'phone/auth': z.object(phoneOrder(LIMITS.visibleAuth, false)),
  'phone/sign': z.object(phoneOrder(LIMITS.visibleSign, true)),
};

/** v5 fields that v6 removed; a client still sending them is out of date, so say so instead of ignoring them. */
const REMOVED_TOP_LEVEL = ['personalNumber', 'allowFingerprint'];
const REMOVED_IN_REQUIREMENT = ['allowFingerprint', 'tokenStartRequired', 'autoStartTokenRequired', 'issuerCn'];

export function parseStartRequest(endpoint: StartEndpoint, body: Record<string, unknown>): OrderRequest {
  const phone = endpoint.startsWith('phone/');
  const removed = [
    ...REMOVED_TOP_LEVEL.filter((f) => f in body && !(phone && f === 'personalNumber')),
    ...(isObject(body.requirement) ? REMOVED_IN_REQUIREMENT.filter((f) => f in (body.requirement as object)).map((f) => `requirement.${f}`) : []),
  ];
  if (removed.length) throw invalidParameters(`Removed in v6: ${removed.join(', ')}`);
  return parse(SCHEMAS[endpoint], body);
}

const orderRefBody = z.object({ orderRef: z.string().min(1).max(64) });

/** The body of collect and cancel. */
export function parseOrderRef(body: Record<string, unknown>): string {
  return parse(orderRefBody, body).orderRef;
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw invalidParameters(`Invalid ${issue.path.join('.') || 'body'}: ${issue.message}`);
}

function isUtf8(value: string): boolean {
  try {
    utf8.decode(Buffer.from(value, 'base64'));
    return true;
  } catch {
    return false;
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
