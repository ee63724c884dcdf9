/**
 * Before a BankID order starts (after `loadInteraction` and `loadClient`): the address, the login and the client may
 * each start only so many orders (limits/order-starts.ts). A login that used up its attempts starts again at the
 * service: waiting does not help it.
 */
import type { Middleware } from 'koa';
import type { Config } from '../../config/load.ts';
import { checkOrderStart } from '../../limits/order-starts.ts';
import type { RateLimiter } from '../../limits/limiter.ts';
import type { Logger } from '../../observability/logger.ts';
import { clientOf, interactionOf } from '../context.ts';

export function limitStarts(limiter: RateLimiter, config: Config, logger: Logger): Middleware {
  return async (ctx, next) => {
    const interactionKey = `start:interaction:${interactionOf(ctx).uid}`;
    // An interaction cannot outlive its TTL, so neither need its counter.
    const perInteraction = { key: interactionKey, windowS: config.oidc.interactionTtlS, max: config.limits.startsPerInteraction };
    await checkOrderStart(limiter, config, logger, ctx, clientOf(ctx), [perInteraction], interactionKey);
    await next();
  };
}
