/**
 * Before a BankID order starts (after `loadInteraction` and `loadClient`): the address, the login and the client
 * may each start only so many orders, counted in Postgres across replicas in one statement. Each order costs the
 * client money, and a flood of orders can pester a person. Over a limit nothing is sent to BankID.
 */
import type { Middleware } from 'koa';
import type { Config } from '../../config/load.ts';
import { BrokerError } from '../../errors/catalogue.ts';
import { addressKey } from '../../limits/address.ts';
import type { RateLimiter } from '../../limits/limiter.ts';
import type { Logger } from '../../observability/logger.ts';
import { clientIp } from '../../http/client-ip.ts';
import { loginSettings } from '../../oidc/client-settings.ts';
import { clientOf, interactionOf } from '../context.ts';

const MINUTE_S = 60;

export function limitStarts(limiter: RateLimiter, config: Config, logger: Logger): Middleware {
  const { limits } = config;
  return async (ctx, next) => {
    const uid = interactionOf(ctx).uid;
    const client = clientOf(ctx);
    const clientId = client.clientId;
    // The tenant may allow its clients fewer starts than the broker's limit, never more.
    const perClient = Math.min(limits.startsPerClientPerMinute, loginSettings(client).startsPerMinute ?? Infinity);
    const interactionKey = `start:interaction:${uid}`;
    const verdict = await limiter.check([
      { key: `start:ip:${addressKey(clientIp(ctx))}`, windowS: MINUTE_S, max: limits.startsPerIpPerMinute },
      // An interaction cannot outlive its TTL, so neither need its counter.
      { key: interactionKey, windowS: config.oidc.interactionTtlS, max: limits.startsPerInteraction },
    ], [
      { key: `start:client:${clientId}`, windowS: MINUTE_S, max: perClient },
    ]);
    if (!verdict.allowed) {
      const over = verdict.refused.map((key) => key.split(':')[1]);
      if (verdict.first) logger.warn({ limit: over, clientId, retryAfterS: verdict.retryAfterS }, 'bankid order start refused: rate limit');
      // Waiting does not help a login that used up its attempts; starting again at the service does.
      const code = verdict.refused.includes(interactionKey) ? 'attempts_exhausted' : 'rate_limited';
      throw new BrokerError(code, `order start rate limit (${over.join(', ')})`, { retryAfterS: verdict.retryAfterS });
    }
    await next();
  };
}
