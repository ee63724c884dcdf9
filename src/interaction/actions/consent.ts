/** POST /interaction/:uid/consent — the person approves sharing what the client asked for. */
import { BrokerError } from '../../errors/catalogue.ts';
import { finish, interactionOf, type Action } from '../context.ts';

export const giveConsent: Action = (deps) => async (ctx) => {
  const d = interactionOf(ctx);
  if (d.prompt.name !== 'consent' || !d.session?.accountId) throw new BrokerError('request_invalid', 'no consent is pending for this interaction');
  const provider = deps.provider();
  const existing = d.grantId ? await provider.Grant.find(d.grantId) : undefined;
  const grant = existing ?? new provider.Grant({ accountId: d.session.accountId, clientId: String(d.params.client_id) });
  const detail = d.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
  if (detail.missingOIDCScope) grant.addOIDCScope(detail.missingOIDCScope.join(' '));
  if (detail.missingOIDCClaims) grant.addOIDCClaims(detail.missingOIDCClaims);
  const grantId = await grant.save();
  await finish(deps, ctx, { consent: existing ? {} : { grantId } });
};
