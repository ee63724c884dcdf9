/**
 * Brygga's Payment Extension (docs/extensions.md): the scope `urn:brygga:scope:payment` with the parameter
 * `urn:brygga:param:paymentRequest` runs a BankID payment order (`/payment`: `userVisibleTransaction`, `riskFlags`)
 * and returns `urn:brygga:claim:payment`. Shaped like the oidc.se Signature Extension: the parameter is a JWT signed
 * by the client (or part of a signed request object or pushed request), `prompt` has login and consent, and every
 * rule is checked at the authorization request (and the pushed one), so a refused request never reaches a person.
 */
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { BankIdRequestError } from '../bankid/errors.ts';
import { checkTransaction } from '../bankid/requests.ts';
import type { RiskFlag, UserVisibleTransaction } from '../bankid/types.ts';
import { BRYGGA, type PaymentTransaction } from './claims.ts';
import { assertLoginAndConsent, extensionPayload, keepPayload } from './extension-request.ts';
import { signKindOf } from './sign-request.ts';
import { BANKID_TEXT_MAX_BASE64, userMessageFrom, UserMessageError, type UserMessage } from './user-message.ts';

export const PAYMENT_SCOPE = BRYGGA.paymentScope;
export const PAYMENT_REQUEST_PARAM = 'urn:brygga:param:paymentRequest';
/** The discovery key that announces the extension. */
export const PAYMENT_DISCOVERY = 'urn:brygga:disco:paymentRequestSupported';

const MEMBERS = new Set(['transaction', 'risk_flags', 'payment_message']);
/** A JWT's registered claims come with its payload. */
const JWT_CLAIMS = new Set(['iss', 'aud', 'iat', 'exp', 'nbf', 'jti']);

export interface PaymentRequest extends PaymentTransaction {
  /** Shown with the transaction, before and in the app (BankID's `userVisibleData`). */
  message?: UserMessage;
}

const invalid = (message: string) => new errors.InvalidRequest(message);

/** The request's scope asks for a payment approval. */
export function isPaymentScope(scope: unknown): boolean {
  return typeof scope === 'string' && scope.split(' ').includes(PAYMENT_SCOPE);
}

/** Only BankID's own members of an object, so nothing else the client sent goes on to BankID. */
function pick(value: unknown, keys: string[]): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entries = keys.map((key) => [key, (value as Record<string, unknown>)[key]] as const).filter(([, v]) => v !== undefined);
  return Object.fromEntries(entries);
}

/** The checked request from the parameter's JSON payload; throws `invalid_request` naming what is wrong. */
export function paymentRequestFrom(payload: unknown): PaymentRequest {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw invalid(`${PAYMENT_REQUEST_PARAM} must be a JSON object`);
  const object = payload as Record<string, unknown>;
  // A misspelt member (riskFlags for risk_flags) would otherwise vanish without a word.
  const unknown = Object.keys(object).find((key) => !MEMBERS.has(key) && !JWT_CLAIMS.has(key));
  if (unknown !== undefined) throw invalid(`${PAYMENT_REQUEST_PARAM} has an unknown member ${unknown} (use ${[...MEMBERS].join(', ')})`);
  const raw = pick(object.transaction, ['transactionType', 'recipient', 'money', 'riskWarning']);
  if (!raw) throw invalid(`transaction is required in ${PAYMENT_REQUEST_PARAM}, as BankID's userVisibleTransaction object`);
  // Money that is no object stays as it is, for BankID's rules below to name it.
  const money = raw.money === undefined ? undefined : pick(raw.money, ['amount', 'currency']) ?? raw.money;
  const transaction = { ...raw, recipient: pick(raw.recipient, ['name']), money } as UserVisibleTransaction;
  const riskFlags = object.risk_flags;
  if (riskFlags !== undefined && (!Array.isArray(riskFlags) || !riskFlags.every((flag) => typeof flag === 'string'))) throw invalid('risk_flags must be an array of BankID risk flags');
  try {
    checkTransaction(transaction, riskFlags);
  } catch (err) {
    if (!(err instanceof BankIdRequestError)) throw err;
    // BankID's field names, in the parameter's: userVisibleTransaction.money.amount → transaction.money.amount.
    const field = err.field.replace(/^userVisibleTransaction/, 'transaction').replace(/^riskFlags/, 'risk_flags');
    throw invalid(`${field} is not valid for BankID: ${err.detail}`);
  }
  let message: UserMessage | undefined;
  try {
    message = object.payment_message === undefined ? undefined : userMessageFrom(object.payment_message, 'payment_message', BANKID_TEXT_MAX_BASE64.auth);
  } catch (err) {
    if (err instanceof UserMessageError) throw invalid(err.message);
    throw err;
  }
  return { userVisibleTransaction: transaction, riskFlags: riskFlags as RiskFlag[] | undefined, message };
}

/** The request the authorization endpoint checked, as the interaction keeps it (JSON); undefined for anything else. */
export function paymentRequestOf(params: Record<string, unknown>): PaymentRequest | undefined {
  const value = params[PAYMENT_REQUEST_PARAM];
  if (!isPaymentScope(params.scope) || typeof value !== 'string') return undefined;
  return paymentRequestFrom(JSON.parse(value));
}

/** oidc-provider's `extraParams` validator for the parameter: every rule of the extension, at the request. */
export async function assertPaymentRequest(ctx: KoaContextWithOIDC, value: unknown): Promise<void> {
  const scope = ctx.oidc.params!.scope;
  if (!isPaymentScope(scope)) {
    if (value !== undefined) throw invalid(`${PAYMENT_REQUEST_PARAM} needs the ${PAYMENT_SCOPE} scope`);
    return;
  }
  // One BankID order answers one request: it is a signature or a payment, not both.
  if (signKindOf(scope)) throw invalid(`${PAYMENT_SCOPE} cannot be combined with a sign scope`);
  assertLoginAndConsent(ctx, 'a payment request');
  if (value === undefined) throw invalid(`${PAYMENT_REQUEST_PARAM} is required with the ${PAYMENT_SCOPE} scope`);
  const payload = await extensionPayload(ctx, PAYMENT_REQUEST_PARAM, value);
  paymentRequestFrom(payload);
  keepPayload(ctx, PAYMENT_REQUEST_PARAM, payload);
}
