/**
 * What the request parameters that ask a person to approve something (the oidc.se `signRequest`, Brygga's
 * `paymentRequest`) share: the value is a JWT signed by the client, or trusted as part of a signed request object
 * or an authenticated pushed request; and the request must make the person log in and consent right now.
 */
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { verify } from 'oidc-provider/lib/helpers/jwt.js';

const invalid = (message: string) => new errors.InvalidRequest(message);

/**
 * The payload of the parameter `param`. A signed request object, or a pushed or backchannel (CIBA) request from an
 * authenticated client, is trusted as a whole (oidc-provider's `trusted`); otherwise the value must be a JWT signed with a key the client
 * registered (`jwks` or `jwks_uri`, through oidc-provider's client keystore).
 */
export async function extensionPayload(ctx: KoaContextWithOIDC, param: string, value: unknown): Promise<unknown> {
  const client = ctx.oidc.client!;
  const trusted = ctx.oidc.trusted?.includes(param)
    || ((ctx.oidc.route === 'pushed_authorization_request' || ctx.oidc.route === 'backchannel_authentication') && client.clientAuthMethod !== 'none');
  // A compact JWS has three parts; JSON (which may hold two dots of its own) starts with a brace.
  if (typeof value === 'string' && !value.trimStart().startsWith('{') && value.split('.').length === 3) {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await verify(value, (client as unknown as { asymmetricKeyStore: unknown }).asymmetricKeyStore));
    } catch {
      throw invalid(`${param} must be a JWT signed with a key the client registered`);
    }
    // Optional; when present they must name this client and this provider.
    if (payload.iss !== undefined && payload.iss !== client.clientId) throw invalid(`${param} was issued by another client`);
    if (payload.aud !== undefined && ![payload.aud].flat().includes(ctx.oidc.issuer)) throw invalid(`${param} is addressed to another provider`);
    return payload;
  }
  if (!trusted) throw invalid(`${param} must be a JWT signed with a key the client registered, or be part of a signed request object`);
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    throw invalid(`${param} must be a JSON object`);
  }
}

/** An approval is never made on an earlier login, and the person must see what they approve (Signature Extension 4.1). */
export function assertLoginAndConsent(ctx: KoaContextWithOIDC, what: string): void {
  if (!ctx.oidc.prompts.has('login') || !ctx.oidc.prompts.has('consent')) throw invalid(`${what} must have prompt with both login and consent`);
}

/**
 * The interaction (or the phone order) keeps the verified payload and never sees the JWT (the pushed request keeps
 * what was sent).
 */
export function keepPayload(ctx: KoaContextWithOIDC, param: string, payload: unknown): void {
  if (ctx.oidc.route === 'authorization' || ctx.oidc.route === 'backchannel_authentication') ctx.oidc.params![param] = JSON.stringify(payload);
}
