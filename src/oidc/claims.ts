/**
 * Scopes, claims and the mapping from BankID completionData to claims (Swedish OIDC profile, oidc.se).
 */
import type { CompletionData, PaymentRequest } from '../bankid/types.ts';

export const OIDC_SE = {
  naturalPersonNumber: 'https://id.oidc.se/scope/naturalPersonNumber',
  naturalPersonInfo: 'https://id.oidc.se/scope/naturalPersonInfo',
  personalIdentityNumber: 'https://id.oidc.se/claim/personalIdentityNumber',
  coordinationNumber: 'https://id.oidc.se/claim/coordinationNumber',
  deviceIp: 'https://id.oidc.se/claim/deviceIp',
  authnEvidence: 'https://id.oidc.se/claim/authnEvidence',
  userSignature: 'https://id.oidc.se/claim/userSignature',
  sign: 'https://id.oidc.se/scope/sign',
  signApproval: 'https://id.oidc.se/scope/signApproval',
} as const;

/** Brygga's own extension identifiers (docs/extensions.md). */
export const BRYGGA = {
  paymentScope: 'urn:brygga:scope:payment',
  paymentClaim: 'urn:brygga:claim:payment',
} as const;

/** A payment as its order sent it to BankID (kept with the order, as the completion does not repeat it). */
export type PaymentTransaction = Pick<PaymentRequest, 'userVisibleTransaction' | 'riskFlags'>;

/** Scope → claims, in oidc-provider's `claims` form (scope keys also become supported scopes). */
export const SCOPE_CLAIMS = {
  acr: null,
  amr: null,
  auth_time: null,
  sid: null,
  // amr is asserted on every login, like acr; oidc-provider releases it with the scope that lists it.
  openid: ['sub', 'amr'],
  profile: ['name', 'given_name', 'family_name'],
  [OIDC_SE.naturalPersonNumber]: [OIDC_SE.personalIdentityNumber, OIDC_SE.coordinationNumber],
  [OIDC_SE.naturalPersonInfo]: ['name', 'given_name', 'family_name', 'birthdate'],
  bankid: [OIDC_SE.deviceIp, OIDC_SE.authnEvidence, 'bankid_issue_date', 'bankid_risk', 'bankid_mrtd', 'txn'],
  // The Signature Extension: the signature (auth_time is always in the ID token); signApproval only marks the request.
  [OIDC_SE.sign]: [OIDC_SE.userSignature],
  [OIDC_SE.signApproval]: [],
  // A payment approval: the transaction as approved, with BankID's signature of the approval.
  [BRYGGA.paymentScope]: [BRYGGA.paymentClaim],
} as const;

/**
 * Claims too large for every ID token (authnEvidence is the ~2 KB OCSP response, and ID tokens travel in URLs as
 * `id_token_hint`): with their scope they go to userinfo only; the ID token carries them when the claims parameter
 * asks for them there.
 */
export const ID_TOKEN_ON_REQUEST_ONLY: readonly string[] = [OIDC_SE.authnEvidence];

/** The result of a signature (Signature Extension 5.2) or a payment goes in the ID token only, never to userinfo. */
const ID_TOKEN_ONLY: readonly string[] = [OIDC_SE.userSignature, BRYGGA.paymentClaim];

/** The claims of one use (`id_token`, `userinfo`) without those the ID token gets only on request, nor userinfo ever. */
export function withoutUnrequested(use: string, claims: Record<string, unknown>, requested: Record<string, unknown>): Record<string, unknown> {
  if (use !== 'id_token') return Object.fromEntries(Object.entries(claims).filter(([name]) => !ID_TOKEN_ONLY.includes(name)));
  return Object.fromEntries(Object.entries(claims).filter(([name]) => !ID_TOKEN_ON_REQUEST_ONLY.includes(name) || name in requested));
}

/** A coordination number (samordningsnummer) has 60 added to the day of birth. */
export function isCoordinationNumber(personalNumber: string): boolean {
  return Number(personalNumber.slice(6, 8)) > 60;
}

/** YYYY-MM-DD from a 12-digit personal or coordination number; undefined if it is not a real date. */
export function birthdateFromPersonalNumber(personalNumber: string): string | undefined {
  if (!/^\d{12}$/.test(personalNumber)) return undefined;
  const year = Number(personalNumber.slice(0, 4));
  const month = Number(personalNumber.slice(4, 6));
  let day = Number(personalNumber.slice(6, 8));
  if (day > 60) day -= 60;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return date.toISOString().slice(0, 10);
}

/** Some banks send names in capitals; show them as names are written ("ANNA-KARIN ÖST" → "Anna-Karin Öst"). */
export function normaliseName(raw: string): string {
  if (raw !== raw.toUpperCase() || raw === raw.toLowerCase()) return raw;
  return raw.toLowerCase().replace(/(^|[\s-])(\p{L})/gu, (_m, sep: string, letter: string) => sep + letter.toUpperCase());
}

/**
 * Every claim a completed BankID order can give (the signature only from a sign order, never an identification's;
 * the payment only from a payment order); the provider releases only what was asked for.
 */
export function claimsFromCompletion(completion: CompletionData, orderRef: string, operation: string, payment?: PaymentTransaction | null): Record<string, unknown> {
  const { user, device } = completion;
  const pnr = user.personalNumber;
  return {
    name: normaliseName(user.name),
    given_name: normaliseName(user.givenName),
    family_name: normaliseName(user.surname),
    birthdate: birthdateFromPersonalNumber(pnr),
    [isCoordinationNumber(pnr) ? OIDC_SE.coordinationNumber : OIDC_SE.personalIdentityNumber]: pnr,
    [OIDC_SE.deviceIp]: device.ipAddress,
    [OIDC_SE.authnEvidence]: completion.ocspResponse,
    bankid_issue_date: completion.bankIdIssueDate,
    bankid_risk: completion.risk,
    bankid_mrtd: completion.stepUp?.mrtd,
    txn: orderRef,
    [OIDC_SE.userSignature]: operation === 'sign' || operation === 'phone_sign' ? completion.signature : undefined,
    [BRYGGA.paymentClaim]: operation === 'payment' && payment ? paymentClaim(payment, completion.signature) : undefined,
  };
}

/** `urn:brygga:claim:payment`: the transaction in the request's own names, and the signature BankID made of the approval. */
function paymentClaim({ userVisibleTransaction, riskFlags }: PaymentTransaction, signature: string): Record<string, unknown> {
  return { transaction: userVisibleTransaction, ...(riskFlags?.length ? { risk_flags: riskFlags } : {}), signature };
}
