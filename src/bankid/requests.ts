/**
 * Turns Brygga's request objects into RP API wire bodies: texts base64-encoded, BankID's limits
 * (rp-api-v6.md §2) checked first so a bad request fails here, typed, instead of as invalidParameters.
 */
import { isIP } from 'node:net';
import { BankIdRequestError } from './errors.ts';
import {
  RISK_FLAGS, type AuthRequest, type OrderRequestBase, type PaymentRequest, type PhoneAuthRequest, type PhoneRequestBase,
  type PhoneSignRequest, type SignRequest, type UserVisibleTransaction, type WebDeviceData,
} from './types.ts';

/** Limits on the base64 text, as BankID measures them. */
const VISIBLE_SHORT = 1_500;
const VISIBLE_LONG = 40_000;
const NON_VISIBLE = 200_000;
const USER_AGENT_MAX = 256;
const PERSONAL_NUMBER = /^\d{12}$/;

type WireBody = Record<string, unknown>;

function checkLength(field: string, value: string, min: number, max: number, unit = 'characters'): void {
  if (value.length < min) throw new BankIdRequestError(field, 'too-short', `at least ${min} ${unit}, got ${value.length}`);
  if (value.length > max) throw new BankIdRequestError(field, 'too-long', `at most ${max} ${unit}, got ${value.length}`);
}

function base64(field: string, value: string | Uint8Array | undefined, max: number, required: boolean): string | undefined {
  if (value === undefined) {
    if (required) throw new BankIdRequestError(field, 'missing', 'required');
    return undefined;
  }
  const encoded = (typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value)).toString('base64');
  checkLength(field, encoded, 1, max, 'base64 characters');
  return encoded;
}

function checkPersonalNumber(field: string, value: string | undefined): void {
  if (value !== undefined && !PERSONAL_NUMBER.test(value)) throw new BankIdRequestError(field, 'format', '12 digits, YYYYMMDDNNNN');
}

function encodeWeb(web: WebDeviceData): WebDeviceData {
  checkLength('web.referringDomain', web.referringDomain, 3, 253);
  checkLength('web.deviceIdentifier', web.deviceIdentifier, 1, 64);
  // BankID refuses longer user agents; the tail only repeats version noise.
  return { referringDomain: web.referringDomain, userAgent: web.userAgent.slice(0, USER_AGENT_MAX), deviceIdentifier: web.deviceIdentifier };
}

function encodeOrder(request: OrderRequestBase, visibleMax: number, visibleRequired: boolean): WireBody {
  if (!isIP(request.endUserIp ?? '')) throw new BankIdRequestError('endUserIp', 'format', 'the end user\'s IPv4 or IPv6 address');
  if (request.web && request.app) throw new BankIdRequestError('web', 'exclusive', 'send web or app, not both');
  checkPersonalNumber('requirement.personalNumber', request.requirement?.personalNumber);
  if (request.returnUrl !== undefined) checkLength('returnUrl', request.returnUrl, 1, 512);
  return {
    endUserIp: request.endUserIp,
    requirement: request.requirement,
    userVisibleData: base64('userVisibleData', request.userVisibleData, visibleMax, visibleRequired),
    userVisibleDataFormat: request.userVisibleDataFormat,
    userNonVisibleData: base64('userNonVisibleData', request.userNonVisibleData, NON_VISIBLE, false),
    returnUrl: request.returnUrl,
    returnRisk: request.returnRisk,
    web: request.web && encodeWeb(request.web),
    app: request.app,
  };
}

function encodePhone(request: PhoneRequestBase, visibleMax: number, visibleRequired: boolean): WireBody {
  if (!request.personalNumber) throw new BankIdRequestError('personalNumber', 'missing', 'required for phone orders');
  checkPersonalNumber('personalNumber', request.personalNumber);
  if (request.callInitiator !== 'user' && request.callInitiator !== 'RP') {
    throw new BankIdRequestError('callInitiator', 'format', 'exactly "user" or "RP"');
  }
  return {
    personalNumber: request.personalNumber,
    callInitiator: request.callInitiator,
    requirement: request.requirement,
    userVisibleData: base64('userVisibleData', request.userVisibleData, visibleMax, visibleRequired),
    userVisibleDataFormat: request.userVisibleDataFormat,
    userNonVisibleData: base64('userNonVisibleData', request.userNonVisibleData, NON_VISIBLE, false),
  };
}

// Fields left undefined vanish in JSON.stringify, so optional fields (requirement included) are sent only when given.
export const encodeAuth = (request: AuthRequest): WireBody => encodeOrder(request, VISIBLE_SHORT, false);
export const encodeSign = (request: SignRequest): WireBody => encodeOrder(request, VISIBLE_LONG, true);
export const encodePhoneAuth = (request: PhoneAuthRequest): WireBody => encodePhone(request, VISIBLE_SHORT, false);
export const encodePhoneSign = (request: PhoneSignRequest): WireBody => encodePhone(request, VISIBLE_LONG, true);

const AMOUNT = /^\d+(?:,\d+)?$/;
const CURRENCY = /^[A-Z]{3}$/;

/**
 * BankID's rules for a payment's `userVisibleTransaction` and `riskFlags` (rp-api-v6.md §2.3); throws
 * BankIdRequestError naming the field. Exported so a caller can check a payment before it starts anything.
 */
export function checkTransaction(transaction: UserVisibleTransaction | undefined, riskFlags?: readonly string[]): void {
  if (!transaction) throw new BankIdRequestError('userVisibleTransaction', 'missing', 'required');
  const { transactionType, recipient, money, riskWarning } = transaction;
  if (transactionType !== 'card' && transactionType !== 'npa') throw new BankIdRequestError('userVisibleTransaction.transactionType', 'format', 'exactly card or npa');
  if (typeof recipient?.name !== 'string' || !recipient.name.trim()) throw new BankIdRequestError('userVisibleTransaction.recipient.name', 'missing', 'required');
  if (money !== undefined) {
    if (transactionType === 'npa') throw new BankIdRequestError('userVisibleTransaction.money', 'exclusive', 'not allowed when transactionType is npa');
    if (typeof money?.amount !== 'string' || !AMOUNT.test(money.amount)) throw new BankIdRequestError('userVisibleTransaction.money.amount', 'format', 'digits with at most one decimal comma, such as 1000,00');
    if (typeof money.currency !== 'string' || !CURRENCY.test(money.currency)) throw new BankIdRequestError('userVisibleTransaction.money.currency', 'format', 'an ISO 4217 code such as SEK');
  }
  if (riskWarning !== undefined && (typeof riskWarning !== 'string' || !riskWarning.trim())) throw new BankIdRequestError('userVisibleTransaction.riskWarning', 'too-short', 'a text, when given');
  const unknown = riskFlags?.find((flag) => !(RISK_FLAGS as readonly string[]).includes(flag));
  if (unknown !== undefined) throw new BankIdRequestError('riskFlags', 'format', `${unknown} is not one of BankID's risk flags (${RISK_FLAGS.join(', ')})`);
}

export function encodePayment(request: PaymentRequest): WireBody {
  checkTransaction(request.userVisibleTransaction, request.riskFlags);
  return { ...encodeOrder(request, VISIBLE_SHORT, false), userVisibleTransaction: request.userVisibleTransaction, riskFlags: request.riskFlags };
}
