/** Request guards for every route: a host allow-list (discovery URLs are built from the Host header) and safe headers. */
import type { Middleware } from 'koa';
import { contentSecurityPolicy, newNonce, nonceForVouchedScripts } from './csp.ts';

export function hostAllowList(allowedHosts: string[]): Middleware {
  const allowed = new Set(allowedHosts.map((h) => h.toLowerCase()));
  return async (ctx, next) => {
    // With proxy trust, ctx.host is X-Forwarded-Host; otherwise the Host header.
    if (!allowed.has(ctx.host.toLowerCase())) {
      ctx.status = 421;
      ctx.type = 'text/plain';
      ctx.body = `Unknown host "${ctx.host}". This broker answers for: ${[...allowed].join(', ')} (ALLOWED_HOSTS).`;
      return;
    }
    await next();
  };
}

/** A year: what browsers' preload lists ask for. Subdomains are the operator's, not the broker's, to include. */
const HSTS = 'max-age=31536000';

export function securityHeaders({ https }: { https: boolean }): Middleware {
  return async (ctx, next) => {
    const nonce = newNonce();
    ctx.state.cspNonce = nonce;
    // Set before the response is made: oidc-provider adds the hash of its inline script to it (see csp.ts).
    ctx.set('content-security-policy', contentSecurityPolicy(nonce));
    // With an https issuer every public answer went over https (the proxy terminates it); browsers ignore it otherwise.
    if (https) ctx.set('strict-transport-security', HSTS);
    await next();
    nonceForVouchedScripts(ctx, nonce);
    ctx.set('x-content-type-options', 'nosniff');
    ctx.set('referrer-policy', 'no-referrer');
    // What a route did not mark cacheable (static files, discovery) is about a login or a person: no cache keeps it.
    if (!ctx.response.get('cache-control')) ctx.set('cache-control', 'no-store');
  };
}
