/**
 * Before a BankID order starts, whatever starts it (a login page, or a CIBA request for a phone order): the address
 * and the client may each start only so many orders, counted in Postgres across replicas in one statement. Each order
 * costs the client money, and a flood of orders can pester a person. Over a limit nothing is sent to BankID.
 */
import type { Context } from 'koa';
import type { Config } from '../config/load.ts';
import { BrokerError } from '../errors/catalogue.ts';
import { clientIp } from '../http/client-ip.ts';
import type { Logger } from '../observability/logger.ts';
import { loginSettings } from '../oidc/client-settings.ts';
import { addressKey } from './address.ts';
import type { Counter, RateLimiter } from './limiter.ts';

const MINUTE_S = 60;

/**
 * Counts a start by the request's address, by `own` further counters, and by the client (its tenant may allow it
 * fewer starts than the broker's limit, never more); throws `rate_limited`, or `attempts_exhausted` when the
 * `exhausted` counter is over, which waiting does not cure.
 */
export async function checkOrderStart(limiter: RateLimiter, config: Config, logger: Logger, ctx: Context, client: { clientId: string }, own: Counter[] = [], exhausted?: string): Promise<void> {
  const { limits } = config;
  const perClient = Math.min(limits.startsPerClientPerMinute, loginSettings(client).startsPerMinute ?? Infinity);
  const verdict = await limiter.check([
    { key: `start:ip:${addressKey(clientIp(ctx))}`, windowS: MINUTE_S, max: limits.startsPerIpPerMinute },
    ...own,
  ], [
    { key: `start:client:${client.clientId}`, windowS: MINUTE_S, max: perClient },
  ]);
  if (verdict.allowed) return;
  const over = verdict.refused.map((key) => key.split(':')[1]);
  if (verdict.first) logger.warn({ limit: over, clientId: client.clientId, retryAfterS: verdict.retryAfterS }, 'bankid order start refused: rate limit');
  const code = exhausted !== undefined && verdict.refused.includes(exhausted) ? 'attempts_exhausted' : 'rate_limited';
  throw new BrokerError(code, `order start rate limit (${over.join(', ')})`, { retryAfterS: verdict.retryAfterS });
}
