/**
 * The oidc.se Signature Extension: `https://id.oidc.se/scope/sign` with `https://id.oidc.se/param/signRequest`
 * (`tbs_data`, `sign_message`) runs a BankID sign order; `https://id.oidc.se/scope/signApproval` an identification
 * that approves a signature made elsewhere (its `sign_message` shown, no `tbs_data`). The rules are checked at the
 * authorization request (and the pushed one), so a refused request never reaches a person.
 */
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { assertLoginAndConsent, extensionPayload, keepPayload } from './extension-request.ts';
import { BANKID_TEXT_MAX_BASE64, userMessageFrom, UserMessageError, type UserMessage } from './user-message.ts';

export const SIGN_SCOPE = 'https://id.oidc.se/scope/sign';
export const SIGN_APPROVAL_SCOPE = 'https://id.oidc.se/scope/signApproval';
export const SIGN_REQUEST_PARAM = 'https://id.oidc.se/param/signRequest';

/** BankID's limit on `userNonVisibleData`, measured on the base64 string (RP API v6 2.1). */
const TBS_MAX_BASE64 = 200_000;

export type SignKind = 'sign' | 'approval';

export interface SignRequest {
  kind: SignKind;
  /** The data to be signed, base64 as the client sent it (BankID's `userNonVisibleData`). */
  tbsData?: string;
  /** Shown before and in the app (BankID's `userVisibleData`). */
  message: UserMessage;
}

/** What a request's scope asks: a signature, an approval, or neither (a login). */
export function signKindOf(scope: unknown): SignKind | undefined {
  const scopes = typeof scope === 'string' ? scope.split(' ') : [];
  return scopes.includes(SIGN_SCOPE) ? 'sign' : scopes.includes(SIGN_APPROVAL_SCOPE) ? 'approval' : undefined;
}

const invalid = (message: string) => new errors.InvalidRequest(message);

/** The checked request from the parameter's JSON payload; throws `invalid_request` naming what is wrong. */
export function signRequestFrom(payload: unknown, kind: SignKind): SignRequest {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw invalid(`${SIGN_REQUEST_PARAM} must be a JSON object`);
  const { tbs_data: tbsData, sign_message: signMessage } = payload as Record<string, unknown>;
  if (kind === 'approval' && tbsData !== undefined) throw invalid('tbs_data is not allowed with the signApproval scope');
  if (kind === 'sign') {
    if (typeof tbsData !== 'string' || !tbsData) throw invalid('tbs_data is required with the sign scope');
    // BankID signs the bytes and returns them base64-encoded: only canonical base64 comes back as it was sent.
    if (Buffer.from(tbsData, 'base64').toString('base64') !== tbsData) throw invalid('tbs_data must be base64');
    if (tbsData.length > TBS_MAX_BASE64) throw invalid(`tbs_data is too long for BankID (at most ${TBS_MAX_BASE64} characters of base64)`);
  }
  if (signMessage === undefined) throw invalid(`sign_message is required in ${SIGN_REQUEST_PARAM}`);
  try {
    return { kind, tbsData: tbsData as string | undefined, message: userMessageFrom(signMessage, 'sign_message', BANKID_TEXT_MAX_BASE64[kind === 'sign' ? 'sign' : 'auth']) };
  } catch (err) {
    if (err instanceof UserMessageError) throw invalid(err.message);
    throw err;
  }
}

/** The request the authorization endpoint checked, as the interaction keeps it (JSON); undefined for a login. */
export function signRequestOf(params: Record<string, unknown>): SignRequest | undefined {
  const kind = signKindOf(params.scope);
  const value = params[SIGN_REQUEST_PARAM];
  if (!kind || typeof value !== 'string') return undefined;
  return signRequestFrom(JSON.parse(value), kind);
}

/** oidc-provider's `extraParams` validator for the parameter: every rule of the extension, at the request. */
export async function assertSignRequest(ctx: KoaContextWithOIDC, value: unknown): Promise<void> {
  const kind = signKindOf(ctx.oidc.params!.scope);
  if (!kind) {
    if (value !== undefined) throw invalid(`${SIGN_REQUEST_PARAM} needs the ${SIGN_SCOPE} or ${SIGN_APPROVAL_SCOPE} scope`);
    return;
  }
  // A phone order (CIBA, which has no prompt) is always a new BankID order that shows the text.
  if (ctx.oidc.route !== 'backchannel_authentication') assertLoginAndConsent(ctx, 'a signature request');
  if (value === undefined) throw invalid(`${SIGN_REQUEST_PARAM} is required with the ${kind === 'sign' ? SIGN_SCOPE : SIGN_APPROVAL_SCOPE} scope`);
  const payload = await extensionPayload(ctx, SIGN_REQUEST_PARAM, value);
  signRequestFrom(payload, kind);
  keepPayload(ctx, SIGN_REQUEST_PARAM, payload);
}
