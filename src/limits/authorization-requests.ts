/**
 * In front of oidc-provider's authorization endpoints (`/auth`, and `/request` for pushed requests), where every
 * request can store an Interaction (or a pushed request) carrying its parameters: parameters longer than a bound
 * are refused before anything is stored, and one address may make only so many requests a minute. Mounted before
 * the provider, whose routes end the response. As the client is not verified yet, a refusal is answered here
 * (a page for /auth, OAuth JSON for /request), never redirected to a `redirect_uri`.
 */
import type { Context, Middleware } from 'koa';
import type { Config } from '../config/load.ts';
import { BrokerError } from '../errors/catalogue.ts';
import { renderError } from '../http/views.ts';
import { negotiateLocale } from '../i18n/texts.ts';
import { clientIp } from '../http/client-ip.ts';
import type { Logger } from '../observability/logger.ts';
import { PAYMENT_REQUEST_PARAM } from '../oidc/payment-request.ts';
import { SIGN_REQUEST_PARAM } from '../oidc/sign-request.ts';
import { USER_MESSAGE_PARAM } from '../oidc/user-message.ts';
import { addressKey } from './address.ts';
import { CountWithWrites, withCountedWrites } from '../storage/oidc-writes.ts';
import type { RateLimiter, Verdict } from './limiter.ts';

/** Parameters that are large by nature (JWTs, JSON); every other one is a short value. */
const LARGE_PARAMS = new Set(['request', 'claims', 'id_token_hint', 'client_assertion', USER_MESSAGE_PARAM, SIGN_REQUEST_PARAM, PAYMENT_REQUEST_PARAM]);

type Endpoint = 'auth' | 'request';

function endpointOf(ctx: Context): Endpoint | undefined {
  if (ctx.path === '/auth' && (ctx.method === 'GET' || ctx.method === 'POST')) return 'auth';
  if (ctx.path === '/request' && ctx.method === 'POST') return 'request';
  return undefined;
}

const tooLong = (what: string, max: number) => new BrokerError('request_invalid', `${what} is longer than ${max} bytes`);

/**
 * The query string and, for a form POST, the body, read here at most `max` bytes in all. The body is handed on
 * as `ctx.request.body`, which oidc-provider reads when the stream has been consumed upstream (it prints a
 * warning about that once per process).
 */
async function rawParameters(ctx: Context, max: number): Promise<string[]> {
  const query = ctx.querystring;
  let size = Buffer.byteLength(query);
  if (size > max) throw tooLong('the query string', max);
  if (ctx.method !== 'POST' || !ctx.is('application/x-www-form-urlencoded')) return [query];
  if ((ctx.request.length ?? 0) + size > max) throw tooLong('the request', max);
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw tooLong('the request', max);
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks).toString('utf8');
  Object.assign(ctx.request, { body });
  return [query, body];
}

function checkSizes(sources: string[], limits: Config['limits']): void {
  for (const source of sources) {
    for (const [name, value] of new URLSearchParams(source)) {
      if (Buffer.byteLength(name) > limits.paramMaxBytes) throw tooLong('a parameter name', limits.paramMaxBytes);
      const max = LARGE_PARAMS.has(name) ? limits.largeParamMaxBytes : limits.paramMaxBytes;
      if (Buffer.byteLength(value) > max) throw tooLong(name, max);
    }
  }
}

function answer(ctx: Context, endpoint: Endpoint, err: BrokerError): void {
  ctx.status = err.status;
  ctx.set('cache-control', 'no-store');
  if (err.retryAfterS) ctx.set('retry-after', String(err.retryAfterS));
  if (endpoint === 'request') {
    ctx.body = { error: err.oauth, error_description: err.message };
    return;
  }
  const uiLocales = ctx.query.ui_locales;
  const locale = negotiateLocale({ uiLocales: typeof uiLocales === 'string' ? uiLocales : undefined, acceptLanguage: ctx.get('accept-language') });
  ctx.type = 'html';
  // The person reads the catalogue's sentence; whoever debugs the client reads the OAuth error under it.
  ctx.body = renderError(locale, err.text(locale), `${err.oauth}: ${err.message}`, { requestId: ctx.state.requestId });
}

export function authorizationRequestGuard(limiter: RateLimiter, config: Config, logger: Logger): Middleware {
  const { limits } = config;
  const refusal = (endpoint: Endpoint, verdict: Verdict & { allowed: false }) => {
    if (verdict.first) logger.warn({ endpoint, retryAfterS: verdict.retryAfterS }, 'authorization requests refused: rate limit');
    return new BrokerError('rate_limited', 'too many authorization requests from this address', { retryAfterS: verdict.retryAfterS });
  };
  return async (ctx, next) => {
    const endpoint = endpointOf(ctx);
    if (!endpoint) return next();
    const counters = [{ key: `auth:ip:${addressKey(clientIp(ctx))}`, windowS: 60, max: limits.authPerIpPerMinute }];
    try {
      // Sizes first, then what this replica already knows is over: refusing those costs no statement.
      checkSizes(await rawParameters(ctx, limits.requestMaxBytes), limits);
      const known = limiter.refusedAlready(counters);
      if (known && !known.allowed) throw refusal(endpoint, known);
    } catch (err) {
      if (!(err instanceof BrokerError)) throw err;
      answer(ctx, endpoint, err);
      return;
    }
    // Counted by the statement that stores the request's interaction (or pushed request): none of its own. An
    // address over its limit gets its refusal instead of the provider's answer, and its stored request is never used.
    const tally = new CountWithWrites(counters);
    await withCountedWrites(tally, next);
    const verdict = limiter.judge(tally.counted ?? await limiter.count(counters));
    if (verdict.allowed) return;
    ctx.remove('set-cookie');
    ctx.remove('location');
    answer(ctx, endpoint, refusal(endpoint, verdict));
  };
}
