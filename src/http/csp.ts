/**
 * Content-Security-Policy with a fresh nonce per response (strict CSP): a script runs only if this response named it,
 * and what a nonced script loads itself ('strict-dynamic': login.js importing qr.js) runs too.
 */
import { createHash } from 'node:crypto';
import type { Context } from 'koa';
import { randomBase64 } from '../security/random.ts';

declare module 'koa' {
  interface DefaultState {
    /** This response's script nonce (set by `securityHeaders`, for the pages that render a script). */
    cspNonce?: string;
  }
}

/** 128 bits, base64 (the nonce-source grammar), never reused. */
export const newNonce = (): string => randomBase64(16);

/**
 * No third-party resources anywhere; the QR is inline SVG (without JavaScript an image of this origin); no inline
 * style; forms post to this origin or, for form_post, the client. 'self' after the nonce is the fallback for
 * browsers older than CSP 3, which ignore 'strict-dynamic' (and newer ones ignore 'self' beside it): every script
 * of ours is same-origin, so it is narrower than strict CSP's generic `https: 'unsafe-inline'`.
 */
export function contentSecurityPolicy(nonce: string): string {
  return `default-src 'none'; script-src 'nonce-${nonce}' 'strict-dynamic' 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self' http: https:; frame-ancestors 'none'; base-uri 'none'`;
}

/** The nonce a page puts on its `<script>`; only `securityHeaders` makes one, so a page without it is a wiring bug. */
export function scriptNonce(ctx: Context): string {
  if (!ctx.state.cspNonce) throw new Error('no CSP nonce on this request: securityHeaders must run before the page');
  return ctx.state.cspNonce;
}

const HASH = /'sha256-([A-Za-z0-9+/=]+)'/g;

/**
 * oidc-provider's one inline script (the auto-submitting form of form_post and of logout without a session) adds
 * its hash to script-src. Trade each such hash for this response's nonce on the very script it vouches for, so no
 * hash is left in the policy and no other inline script gains anything.
 */
export function nonceForVouchedScripts(ctx: Context, nonce: string): void {
  const csp = ctx.response.get('content-security-policy');
  if (typeof ctx.body !== 'string' || !csp.includes("'sha256-")) return;
  const vouched = new Set([...csp.matchAll(HASH)].map((m) => m[1]));
  ctx.body = ctx.body.replace(/<script>([\s\S]*?)<\/script>/g, (whole, code: string) =>
    (vouched.has(createHash('sha256').update(code).digest('base64')) ? `<script nonce="${nonce}">${code}</script>` : whole));
  ctx.set('content-security-policy', contentSecurityPolicy(nonce));
}
