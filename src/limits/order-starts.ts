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
import type { StartCounters } from '../storage/interaction-context.ts';
import type { Counter, CounterState, RateLimiter, Verdict } from './limiter.ts';

const MINUTE_S = 60;
const CLIENT_KEY_PREFIX = 'start:client:';

const addressCounter = (config: Config, ctx: Context): Counter =>
  ({ key: `start:ip:${addressKey(clientIp(ctx))}`, windowS: MINUTE_S, max: config.limits.startsPerIpPerMinute });

/**
 * The counters of a start whose client is not known yet (it is read in the same statement that counts): the
 * address, `own` further counters, and the client's by the broker's limit (`judgeOrderStart` applies its tenant's).
 */
export function startCounters(config: Config, ctx: Context, own: Counter[]): StartCounters {
  return { own: [addressCounter(config, ctx), ...own], perClient: { keyPrefix: CLIENT_KEY_PREFIX, windowS: MINUTE_S, max: config.limits.startsPerClientPerMinute } };
}

const clientKey = (client: { clientId: string }) => `${CLIENT_KEY_PREFIX}${client.clientId}`;

/** The broker's limit per client, or its tenant's where that is lower. */
const perClientMax = (config: Config, client: { clientId: string }) =>
  Math.min(config.limits.startsPerClientPerMinute, loginSettings(client).startsPerMinute ?? Infinity);

/** Counts a start by the request's address, by `own` further counters, and by the client; throws as `enforce`. */
export async function checkOrderStart(limiter: RateLimiter, config: Config, logger: Logger, ctx: Context, client: { clientId: string }, own: Counter[] = [], exhausted?: string): Promise<void> {
  const verdict = await limiter.check([addressCounter(config, ctx), ...own], [{ key: clientKey(client), windowS: MINUTE_S, max: perClientMax(config, client) }]);
  enforce(verdict, logger, client, exhausted);
}

/** As `checkOrderStart`, on the counts of `startCounters` that a statement doing other work took. */
export function judgeOrderStart(limiter: RateLimiter, config: Config, logger: Logger, client: { clientId: string }, states: CounterState[], exhausted?: string): void {
  const max = perClientMax(config, client);
  enforce(limiter.judge(states.map((s) => (s.key === clientKey(client) ? { ...s, max } : s))), logger, client, exhausted);
}

/** Throws `rate_limited`, or `attempts_exhausted` when the `exhausted` counter is over, which waiting does not cure. */
function enforce(verdict: Verdict, logger: Logger, client: { clientId: string }, exhausted?: string): void {
  if (verdict.allowed) return;
  const over = verdict.refused.map((key) => key.split(':')[1]);
  if (verdict.first) logger.warn({ limit: over, clientId: client.clientId, retryAfterS: verdict.retryAfterS }, 'bankid order start refused: rate limit');
  const code = exhausted !== undefined && verdict.refused.includes(exhausted) ? 'attempts_exhausted' : 'rate_limited';
  throw new BrokerError(code, `order start rate limit (${over.join(', ')})`, { retryAfterS: verdict.retryAfterS });
}
