/**
 * Before a BankID order starts (after `loadInteraction` and `loadClient`): the address, the login and the client may
 * each start only so many orders (limits/order-starts.ts). The statement that loads the interaction counts them
 * (`startCountersFor`); this step judges the counts once the client, and so its tenant's limit, is known. A login
 * that used up its attempts starts again at the service: waiting does not help it.
 */
import type { Context, Middleware } from 'koa';
import type { Config } from '../../config/load.ts';
import { judgeOrderStart, startCounters } from '../../limits/order-starts.ts';
import type { RateLimiter } from '../../limits/limiter.ts';
import type { Logger } from '../../observability/logger.ts';
import type { StartCounters } from '../../storage/interaction-context.ts';
import { clientOf, interactionOf, stateOf } from '../context.ts';

const interactionKey = (uid: string) => `start:interaction:${uid}`;

/** The counters of a start of login `uid`, for the statement that loads it. */
export function startCountersFor(config: Config): (ctx: Context, uid: string) => StartCounters {
  // An interaction cannot outlive its TTL, so neither need its counter.
  return (ctx, uid) => startCounters(config, ctx, [{ key: interactionKey(uid), windowS: config.oidc.interactionTtlS, max: config.limits.startsPerInteraction }]);
}

export function limitStarts(limiter: RateLimiter, config: Config, logger: Logger): Middleware {
  return async (ctx, next) => {
    const counted = stateOf(ctx).startCounts;
    // A route that starts orders without counting them is a wiring bug, never a start without limits.
    if (!counted) throw new Error('order start not counted: the route must load its interaction with startCountersFor');
    judgeOrderStart(limiter, config, logger, clientOf(ctx), counted, interactionKey(interactionOf(ctx).uid));
    await next();
  };
}
