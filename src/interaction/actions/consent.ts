/** POST /interaction/:uid/consent — the person approves sharing what the client asked for. */
import { BrokerError } from '../../errors/catalogue.ts';
import type { InteractionResults } from 'oidc-provider';
import type { LoginOrderResult } from '../../oidc/login-binding.ts';
import { finish, interactionOf, type Action } from '../context.ts';

export const giveConsent: Action = (deps) => async (ctx) => {
  const d = interactionOf(ctx);
  if (d.prompt.name !== 'consent' || !d.session?.accountId) throw new BrokerError('request_invalid', 'no consent is pending for this interaction');
  const provider = deps.provider();
  const existing = d.grantId ? await provider.Grant.find(d.grantId) : undefined;
  const grant = existing ?? new provider.Grant({ accountId: d.session.accountId, clientId: String(d.params.client_id) });
  // What is missing was measured against the grant the prompt saw. A new grant (none yet, or that one expired
  // since) gets everything asked for, which is what the consent page listed.
  const detail = d.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
  const scopes = existing ? detail.missingOIDCScope ?? [] : String(d.params.scope ?? '').split(' ').filter(Boolean);
  const claims = existing ? detail.missingOIDCClaims ?? [] : requestedClaims(d.params.claims);
  if (scopes.length) grant.addOIDCScope(scopes.join(' '));
  if (claims.length) grant.addOIDCClaims(claims);
  const grantId = await grant.save();
  // oidc-provider asks again for every prompt the request named that this submission does not answer: a request
  // with prompt=login (every signature) hands its login on, with the order a signature's code is bound to.
  const last = d.lastSubmission as (InteractionResults & LoginOrderResult) | undefined;
  const again = String(d.params.prompt ?? '').split(' ').includes('login') && last?.login ? { login: last.login, order: last.order } : {};
  await finish(deps, ctx, { consent: existing ? {} : { grantId }, ...again });
};

/** The claims named in the `claims` parameter (the provider validated its JSON at the authorization request). */
function requestedClaims(claims: unknown): string[] {
  if (typeof claims !== 'string') return [];
  const parsed = JSON.parse(claims) as { id_token?: object | null; userinfo?: object | null };
  return [...Object.keys(parsed.id_token ?? {}), ...Object.keys(parsed.userinfo ?? {})];
}
