/**
 * Phone orders over OpenID Connect CIBA (Client-Initiated Backchannel Authentication, poll and ping modes): someone at
 * a service, on a call with a person, asks that person to identify (BankID /phone/auth) or to sign (/phone/sign, the
 * Signature Extension's sign scope and signRequest). oidc-provider runs the backchannel endpoint and the CIBA grant;
 * these are its hooks. The answer comes when the order ends (ciba-results.ts).
 * - `login_hint` is the person's personal identity number; nothing else names a person here (a `sub` cannot be turned
 *   back into one), so `login_hint_token` and `id_token_hint` are refused.
 * - `binding_message` is the text the BankID app shows (plain text).
 * - `urn:brygga:param:callInitiator`: `user` (the person called the service) or `RP` (the service called), as BankID
 *   requires it.
 * Only clients registered with the CIBA grant type get here (oidc-provider checks it).
 */
import { errors, type BackchannelAuthenticationRequest, type Client, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { PhoneRequirement } from '../bankid/types.ts';
import { BrokerError } from '../errors/catalogue.ts';
import type { StartPhoneOrder } from '../orders/phone.ts';
import { requiredPersonOf, validPersonalNumber } from './claims-request.ts';
import { loginSettings } from './client-settings.ts';
import { CatalogueError } from './oauth-error.ts';
import { assertAcrSatisfiable } from './policy.ts';
import { signKindOf, signRequestOf } from './sign-request.ts';
import { accountIdFor } from './subject.ts';
import { bankIdTextProblem, messageFor } from './user-message.ts';

export const CIBA_GRANT_TYPE = 'urn:openid:params:grant-type:ciba';
export const CALL_INITIATOR_PARAM = 'urn:brygga:param:callInitiator';
const CALL_INITIATORS = ['user', 'RP'] as const;

/** How long a CIBA request waits for its answer at most: BankID ends a phone order within about 3 minutes. */
export const CIBA_REQUEST_TTL_S = 300;

export interface CibaDeps {
  subjectSecret: string;
  /** Refuses a start over a rate limit (a BrokerError): every order costs the client, and a flood pesters the person. */
  limit(ctx: KoaContextWithOIDC, client: Client): Promise<void>;
  orders: { start(order: StartPhoneOrder): Promise<unknown> };
}

type CibaFeature = NonNullable<NonNullable<Configuration['features']>['ciba']>;

const BACKCHANNEL = 'backchannel_authentication';

/** Control characters have no place in a text shown in the app; line breaks do. */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f]/u;

/** oidc-provider's `extraParams` validator for the call initiator: required on a CIBA request, nowhere else. */
export function assertCallInitiator(ctx: KoaContextWithOIDC, value: unknown): void {
  if (ctx.oidc.route !== BACKCHANNEL) {
    if (value !== undefined) throw new errors.InvalidRequest(`${CALL_INITIATOR_PARAM} belongs to backchannel authentication requests only`);
    return;
  }
  if (!CALL_INITIATORS.includes(value as (typeof CALL_INITIATORS)[number])) {
    throw new errors.InvalidRequest(`${CALL_INITIATOR_PARAM} is required: "user" when the person called the service, "RP" when the service called the person`);
  }
}

/** The requirement of a phone order: the client's within its tenant's policy; BankID offers no ID-document step by phone. */
function phoneRequirement(client: Client): PhoneRequirement | undefined {
  const { requirement } = loginSettings(client);
  if (!requirement) return undefined;
  const { mrtd, personalNumber: _bound, ...rest } = requirement;
  if (mrtd) throw new errors.InvalidRequest('the orders of this client require an ID-document check (mrtd), which BankID does not offer in phone orders');
  return Object.keys(rest).length ? rest : undefined;
}

/** The order the request asks for: a signature with the sign scope, else an identification showing the binding message. */
function phoneOrder(ctx: KoaContextWithOIDC, request: BackchannelAuthenticationRequest, client: Client): StartPhoneOrder {
  const params = ctx.oidc.params!;
  const sign = signRequestOf(params);
  const locale = typeof params.ui_locales === 'string' && params.ui_locales.split(' ')[0] === 'en' ? 'en' : 'sv';
  const settings = loginSettings(client);
  const loginText = (locale === 'en' ? settings.loginTextEn : undefined) ?? settings.loginText;
  const binding = params.binding_message as string | undefined;
  // A signature (or an approval) shows its sign_message; an identification the binding message or the client's login text.
  const text = sign ? messageFor(sign.message, locale) : binding ?? loginText;
  const markdown = sign ? sign.message.mimeType === 'text/markdown' : binding === undefined && loginText !== undefined;
  return {
    operation: sign?.kind === 'sign' ? 'phone_sign' : 'phone_auth',
    cibaRequestId: request.jti,
    clientId: client.clientId,
    personalNumber: params.login_hint as string,
    callInitiator: params[CALL_INITIATOR_PARAM] as StartPhoneOrder['callInitiator'],
    userVisibleData: text,
    userVisibleDataFormat: text && markdown ? 'simpleMarkdownV1' : undefined,
    userNonVisibleData: sign?.tbsData ? Buffer.from(sign.tbsData, 'base64') : undefined,
    requirement: phoneRequirement(client),
  };
}

/**
 * Provider middleware: a client not registered for CIBA gets CIBA's own `unauthorized_client` (CIBA Core 13), not
 * oidc-provider's `invalid_request` for a grant type the client lacks.
 */
export async function unauthorizedCibaClients(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
  await next();
  const body = ctx.body as { error?: string; error_description?: string } | undefined;
  if (ctx.oidc?.route === BACKCHANNEL && body?.error === 'invalid_request' && body.error_description === `${CIBA_GRANT_TYPE} is not allowed for this client`) {
    body.error = 'unauthorized_client';
  }
}

/** `features.ciba` for createProvider. */
export function cibaFeature(deps: CibaDeps): CibaFeature {
  return {
    enabled: true,
    deliveryModes: ['poll', 'ping'],
    // The first hook, once the client is authenticated and its scopes checked: what no later hook sees is refused here.
    validateRequestContext(ctx) {
      if (ctx.oidc.params!.id_token_hint !== undefined) throw new errors.InvalidRequest('id_token_hint is not supported: send the personal identity number as login_hint');
      assertAcrSatisfiable(ctx);
      phoneRequirement(ctx.oidc.client!);
    },
    validateBindingMessage(ctx, message) {
      if (message === undefined) return;
      if (signKindOf(ctx.oidc.params!.scope)) {
        throw new errors.InvalidBindingMessage('a signature request shows its sign_message; binding_message is for identifications');
      }
      if (!message.trim() || CONTROL.test(message)) throw new errors.InvalidBindingMessage('binding_message must be a non-empty plain text without control characters');
      const problem = bankIdTextProblem(message);
      if (problem) throw new errors.InvalidBindingMessage(`binding_message ${problem}`);
    },
    processLoginHintToken() {
      throw new errors.InvalidRequest('login_hint_token is not supported: send the personal identity number as login_hint');
    },
    processLoginHint(ctx, hint) {
      if (!validPersonalNumber(hint)) throw new errors.UnknownUserId('login_hint must be a Swedish personal identity number of 12 digits (YYYYMMDDNNNN) with a valid check digit');
      const bound = requiredPersonOf(ctx.oidc.params!);
      if (bound !== undefined && bound !== hint) throw new errors.InvalidRequest('the claims parameter names another person than login_hint');
      return accountIdFor(deps.subjectSecret, hint);
    },
    // The person confirms with their own BankID security code; CIBA's user_code is not used (discovery says so).
    verifyUserCode() {},
    async triggerAuthenticationDevice(ctx, request, _account, client) {
      try {
        const order = phoneOrder(ctx, request, client);
        await deps.limit(ctx, client);
        await deps.orders.start(order);
      } catch (err) {
        // Nothing will answer the stored request: the client gets the error, never its auth_req_id.
        await request.destroy();
        if (!(err instanceof BrokerError)) throw err;
        if (err.retryAfterS) ctx.set('retry-after', String(err.retryAfterS));
        throw new CatalogueError(err);
      }
    },
  };
}
