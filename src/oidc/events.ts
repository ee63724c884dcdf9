/**
 * The provider's own events as domain events: a login interaction begun, an ID token issued (token endpoint or front
 * channel), consent, logout, and the errors it answered (a phone order's CIBA request included).
 */
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { DomainEvents } from '../events/emitter.ts';

export function emitLoginEvents(provider: Provider, events: DomainEvents): void {
  const requestIdOf = (ctx: { state: Record<string, unknown> }) => ctx.state.requestId as string | undefined;
  provider.on('grant.success', (ctx) => {
    const body = ctx.body as { id_token?: string } | undefined;
    if (body?.id_token) events.emit('login.id_token_issued', { clientId: ctx.oidc.client!.clientId, requestId: requestIdOf(ctx) });
  });
  provider.on('authorization.success', (ctx, out) => {
    if (out?.id_token) events.emit('login.id_token_issued', { clientId: ctx.oidc.client!.clientId, requestId: requestIdOf(ctx) });
  });
  provider.on('interaction.ended', (ctx) => {
    if ((ctx.oidc.result as { consent?: unknown } | undefined)?.consent) events.emit('login.consent_given', { clientId: ctx.oidc.client!.clientId, requestId: requestIdOf(ctx) });
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
  provider.on('end_session.success', (ctx) => events.emit('login.logout', { clientId: ctx.oidc.client?.clientId, requestId: requestIdOf(ctx) }));
}
