/** The provider's own events as domain events: an ID token issued (token endpoint or front channel), consent, logout. */
import type Provider from 'oidc-provider';
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
  provider.on('end_session.success', (ctx) => events.emit('login.logout', { clientId: ctx.oidc.client?.clientId, requestId: requestIdOf(ctx) }));
}
