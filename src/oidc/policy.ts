/**
 * Brygga's interaction policy: oidc-provider's login and consent prompts, with two login checks added.
 *
 * - Requested `acr` the broker cannot assert for this client (its tenant's, or ACR): refused before any BankID
 *   order (Swedish OIDC profile 2.2).
 * - Single sign-on (Sweden Connect OIDC profile 2.2.1): a session is reused only by the clients that hold it, or by
 *   clients of the same SSO group (`brygga_sso_group`, if the tenant's policy allows it). Without `prompt` a request behaves as `prompt=login` unless its client
 *   shares the session through a group; `prompt=none` from a client that may not reuse the session gets
 *   `login_required`.
 */
import { errors, interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import { loginSettings } from './client-settings.ts';
import { isPaymentScope } from './payment-request.ts';
import { signKindOf } from './sign-request.ts';

const { Check, base } = interactionPolicy;

/** Marks a client's container in the session once it got an authorization response from it. */
const HOLDER = 'brygga_holder';

/** Marks the login (its `loginTs`) that a signature or payment made: the session's login is then nobody's to reuse. */
const SIGNED_LOGIN = 'brygga_signed_login';

/**
 * The session now serves this client: call when the authorization response is sent. A signature (or signature
 * approval) or a payment serves nobody: it never seeds single sign-on, and as it replaced the session's login, it
 * ends the single sign-on of that session too (Signature Extension 5.1).
 */
export function recordSessionHolder(ctx: KoaContextWithOIDC): void {
  const { session, client } = ctx.oidc;
  if (!session?.accountId || !client) return;
  const state = session.authorizationFor(client.clientId) as Record<string, unknown>;
  const scope = ctx.oidc.params?.scope;
  if (signKindOf(scope) || isPaymentScope(scope)) state[SIGNED_LOGIN] = session.loginTs;
  else state[HOLDER] = true;
}

/** The session's current login was made for a signature. */
function signedLogin(ctx: KoaContextWithOIDC): boolean {
  const { session } = ctx.oidc;
  return Object.values(session!.authorizations ?? {}).some((state) => (state as Record<string, unknown>)[SIGNED_LOGIN] === session!.loginTs);
}

function sessionHolders(ctx: KoaContextWithOIDC): string[] {
  return Object.entries(ctx.oidc.session!.authorizations ?? {})
    .filter(([, state]) => (state as Record<string, unknown>)[HOLDER] === true)
    .map(([clientId]) => clientId);
}

/** This authorization request's own login: just finished, or finished before a consent step of the same request. */
function loggedInNow(ctx: KoaContextWithOIDC): boolean {
  return ctx.oidc.result?.login !== undefined || ctx.oidc.entities.Interaction?.lastSubmission?.login !== undefined;
}

/** Every set of `acr` values the request asks for: `acr_values` (or the client's defaults) and an essential `acr` claim. */
function requestedAcrSets(ctx: KoaContextWithOIDC): string[][] {
  const params = ctx.oidc.params!;
  const sets: string[][] = [];
  if (typeof params.acr_values === 'string') sets.push(params.acr_values.split(' ').filter(Boolean));
  // The claims parameter was checked as JSON by oidc-provider; its acr is read here because acr_values overrides it there.
  const acr = typeof params.claims === 'string'
    ? (JSON.parse(params.claims) as { id_token?: { acr?: { essential?: boolean; value?: unknown; values?: unknown } } }).id_token?.acr
    : undefined;
  if (acr?.essential) {
    const values = acr.value !== undefined ? [acr.value] : acr.values;
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) throw new errors.InvalidRequest('claims.id_token.acr must name its values as strings');
    sets.push(values);
  }
  return sets;
}

/** Refuses a request whose acr no login of this client can meet (a CIBA request too, which has no interaction). */
export function assertAcrSatisfiable(ctx: KoaContextWithOIDC): void {
  const asserted = loginSettings(ctx.oidc.client!).acr;
  for (const requested of requestedAcrSets(ctx)) {
    if (!requested.includes(asserted)) {
      // No login could help: refuse instead of running a BankID order (acr_values is treated as essential too).
      throw new errors.UnmetAuthenticationRequirements(`none of the requested acr values (${requested.join(' ')}) can be met; logins of this client are asserted as ${asserted}`);
    }
  }
}

const acrUnsatisfiable = new Check('acr_unsatisfiable', 'the requested acr cannot be asserted', (ctx) => {
  assertAcrSatisfiable(ctx);
  return Check.NO_NEED_TO_PROMPT;
});

async function ssoGroupOf(ctx: KoaContextWithOIDC, clientId: string): Promise<string | undefined> {
  const client = await ctx.oidc.provider.Client.find(clientId);
  return client ? loginSettings(client).ssoGroup : undefined;
}

const ssoPolicy = new Check('sso_policy', 'this client may not reuse the login session of another', 'login_required', async (ctx) => {
  const { session, client, prompts } = ctx.oidc;
  const params = ctx.oidc.params!;
  if (!session?.accountId || !client || loggedInNow(ctx)) return Check.NO_NEED_TO_PROMPT;
  if (signedLogin(ctx)) return Check.REQUEST_PROMPT;
  // A session made at another acr than the request accepts is not reused.
  if (typeof params.acr_values === 'string' && !params.acr_values.split(' ').includes(String(session.acr))) return Check.REQUEST_PROMPT;
  const holders = sessionHolders(ctx);
  const group = loginSettings(client).ssoGroup;
  if (group !== undefined && (await Promise.all(holders.map((id) => ssoGroupOf(ctx, id)))).includes(group)) return Check.NO_NEED_TO_PROMPT;
  // Outside a group only prompt=none may reuse a session, and only the client's own.
  return prompts.has('none') && holders.includes(client.clientId) ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
});

/** oidc-provider's base policy with Brygga's login checks, for `interactions.policy`. */
export function interactionPolicyFor(): interactionPolicy.DefaultPolicy {
  const policy = base();
  const login = policy.get('login')!;
  login.checks.add(acrUnsatisfiable, 0);
  login.checks.add(ssoPolicy);
  return policy;
}
