/**
 * The provider's own events as domain events: a login interaction begun, an ID token issued (token endpoint or front
 * channel), consent, logout, and the errors it answered (a phone order's CIBA request included). Login events name
 * the client's tenant and the account.
 */
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { DomainEvents } from '../events/emitter.ts';
import type { LoginEvent } from '../events/types.ts';
import { tenantOf } from './client-settings.ts';

/** What a login event says of a request: its client with its tenant, the account, the request id. */
function loginEvent(ctx: KoaContextWithOIDC, subject: string | undefined): Omit<LoginEvent, 'clientId'> & { clientId?: string } {
  const { client } = ctx.oidc;
  const requestId = ctx.state.requestId as string | undefined;
  const tenantId = client && tenantOf(client);
  return {
    ...(client ? { clientId: client.clientId } : {}),
    ...(tenantId ? { tenantId } : {}),
    ...(subject ? { subject } : {}),
    ...(requestId ? { requestId } : {}),
  };
}

export function emitLoginEvents(provider: Provider, events: DomainEvents): void {
  const requestIdOf = (ctx: { state: Record<string, unknown> }) => ctx.state.requestId as string | undefined;
  // The account of a token request, and of a session's; never a claim about the person.
  const issued = (ctx: KoaContextWithOIDC, subject: string | undefined) => events.emit('login.id_token_issued', { ...loginEvent(ctx, subject), clientId: ctx.oidc.client!.clientId });
  provider.on('grant.success', (ctx) => {
    const body = ctx.body as { id_token?: string } | undefined;
    if (body?.id_token) issued(ctx, ctx.oidc.account?.accountId);
  });
  provider.on('authorization.success', (ctx, out) => {
    if (out?.id_token) issued(ctx, ctx.oidc.session?.accountId);
  });
  provider.on('interaction.ended', (ctx) => {
    const result = ctx.oidc.result as { consent?: unknown; login?: { accountId?: string } } | undefined;
    if (result?.consent) events.emit('login.consent_given', { ...loginEvent(ctx, result.login?.accountId ?? ctx.oidc.session?.accountId), clientId: ctx.oidc.client!.clientId });
  });
  provider.on('interaction.started', (ctx) => events.emit('login.interaction_started', { clientId: ctx.oidc.client!.clientId, requestId: requestIdOf(ctx) }));
  const failed = (event: string) => (ctx: KoaContextWithOIDC, err: Error) => {
    // What the provider sent: its own code for an exposed error, `server_error` for anything else.
    const { error, expose } = err as { error?: unknown; expose?: boolean };
    events.emit('oidc.error', { event, error: event !== 'server_error' && expose && typeof error === 'string' ? error : 'server_error', clientId: ctx.oidc?.client?.clientId });
  };
  provider.on('server_error', failed('server_error'));
  provider.on('authorization.error', failed('authorization.error'));
  provider.on('grant.error', failed('grant.error'));
  provider.on('backchannel_authentication.error', failed('backchannel_authentication.error'));
  provider.on('end_session.success', (ctx) => events.emit('login.logout', loginEvent(ctx, ctx.oidc.session?.accountId)));
}
