/**
 * What the interaction pages know about the browser: a long-lived random device cookie (never the session cookie)
 * that binds orders to this browser and feeds BankID's risk engine, CSRF tokens tied to it, and the client address.
 */
import { createHash, createHmac } from 'node:crypto';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { WebDeviceData } from '../bankid/types.ts';
import { randomBase64 } from '../security/random.ts';
import { safeEqual } from '../security/safe-equal.ts';
import { stateOf } from './context.ts';

const ONE_YEAR_MS = 365 * 24 * 60 * 60 * 1000;

/** Whether this browser holds the login `uid`: oidc-provider's signed interaction cookie names it. */
export function holdsInteraction(ctx: Context, provider: Provider, uid: string): boolean {
  return ctx.cookies.get(provider.cookieName('interaction'), { signed: true }) === uid;
}

/** The device id of this browser, set on first sight; the same value however often one request asks. */
export function deviceId(ctx: Context): string {
  const state = ctx.state as { deviceId?: string };
  if (state.deviceId) return state.deviceId;
  const name = stateOf(ctx).deviceCookie;
  const existing = ctx.cookies.get(name, { signed: true });
  if (existing && /^[\w-]{43}$/.test(existing)) return (state.deviceId = existing);
  state.deviceId = randomBase64(32, true);
  ctx.cookies.set(name, state.deviceId, { signed: true, httpOnly: true, sameSite: 'lax', maxAge: ONE_YEAR_MS, overwrite: true });
  return state.deviceId;
}

const digest = (label: string, id: string) => createHash('sha256').update(`${label}:${id}`).digest('base64url');

/** What an order stores to recognise this browser (a digest of its device id, not the id itself). */
export function browserBinding(ctx: Context): string {
  return digest('binding', deviceId(ctx));
}

/** BankID's `web` device data: the referring domain, the user agent cut to 256 characters, a stable device id. */
export function webDeviceData(ctx: Context, id: string, issuerHost: string): WebDeviceData {
  return {
    referringDomain: issuerHost,
    userAgent: (ctx.get('user-agent') || 'unknown').slice(0, 256),
    deviceIdentifier: createHash('sha256').update(`bankid-device:${id}`).digest('hex'),
  };
}

/**
 * A MAC under the broker's interaction secret (its first cookie key) over `parts` of one login; the purpose keeps
 * the MACs of one use from standing in for another's.
 */
export function interactionMac(secret: string, purpose: 'csrf' | 'qr', ...parts: string[]): string {
  return createHmac('sha256', secret).update([purpose, ...parts].join(':')).digest('base64url');
}

export function csrfToken(secret: string, uid: string, id: string): string {
  return interactionMac(secret, 'csrf', uid, id);
}

export function validCsrf(secret: string, uid: string, id: string, presented: unknown): boolean {
  return typeof presented === 'string' && safeEqual(csrfToken(secret, uid, id), presented);
}
