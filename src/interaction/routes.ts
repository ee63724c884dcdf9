/**
 * The BankID pages behind oidc-provider's interactions, one handler per route with the shared checks as steps
 * (in the spirit of oidc-provider's actions): errors rendered for people, the interaction and its client loaded,
 * forms checked for CSRF. Orders go through the order flow; OIDC through the provider.
 */
import Router from '@koa/router';
import type { Middleware } from 'koa';
import { abortLogin } from './actions/abort.ts';
import { cancelOrder } from './actions/cancel-order.ts';
import { giveConsent } from './actions/consent.ts';
import { orderEvents } from './actions/events.ts';
import { qrImage } from './actions/qr-image.ts';
import { sameDeviceReturn } from './actions/return.ts';
import { showPage } from './actions/show.ts';
import { startOrder } from './actions/start.ts';
import { orderStatus } from './actions/status.ts';
import { cookieNames } from '../security/cookie-names.ts';
import { stateOf, type InteractionDeps } from './context.ts';
import { checkForm } from './steps/check-form.ts';
import { loadClient } from './steps/load-client.ts';
import { startCountersFor } from './steps/limit-starts.ts';
import { loadInteraction } from './steps/load-interaction.ts';
import { renderErrors } from './steps/render-errors.ts';

export type { InteractionDeps } from './context.ts';

export function interactionRoutes(deps: InteractionDeps, limitStarts: Middleware): Router {
  const router = new Router({ prefix: '/interaction/:uid' });
  const { device } = cookieNames(deps.config.http.issuer);
  const noStore: Middleware = async (ctx, next) => {
    ctx.set('cache-control', 'no-store');
    Object.assign(stateOf(ctx), { uid: ctx.params.uid!, deviceCookie: device });
    await next();
  };
  const page = renderErrors('page');
  const interaction = loadInteraction()(deps);
  // The start's rate limits are counted by the statement that loads its interaction.
  const starting = loadInteraction(false, startCountersFor(deps.config))(deps);
  const client = loadClient(deps);
  const form = checkForm(deps);

  router.use(noStore);
  router.get('/', page, loadInteraction(true)(deps), client, showPage(deps));
  router.post('/start', page, form, starting, client, limitStarts, startOrder(deps));
  router.get('/status', renderErrors('json'), orderStatus(deps));
  router.get('/events', renderErrors('json'), orderEvents(deps));
  router.get('/qr.svg', renderErrors('text'), qrImage(deps));
  router.get('/return', page, interaction, sameDeviceReturn(deps));
  router.post('/cancel-order', page, form, cancelOrder(deps));
  router.post('/abort', page, form, interaction, abortLogin(deps));
  router.post('/consent', page, form, interaction, giveConsent(deps));
  return router;
}
