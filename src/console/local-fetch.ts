/**
 * The console is a client of its own broker: its calls to the issuer (discovery, token, JWKS) go to this process's
 * listener on loopback, never out to the public URL and back through a proxy. The request carries the issuer's host
 * (the host allow-list and the provider's URLs expect it), which fetch would not let us set, hence node:http.
 */
import { request } from 'node:http';
import type { CustomFetch } from 'openid-client';

/** Where the process's own listener is reachable from itself. */
export function loopbackOf(host: string, port: number): string {
  const bound = ['', '0.0.0.0', '::'].includes(host) ? '127.0.0.1' : host;
  return `http://${bound.includes(':') ? `[${bound}]` : bound}:${port}`;
}

export function localFetch(issuer: string, listener: string): CustomFetch {
  const issuerUrl = new URL(issuer);
  const target = new URL(listener);
  return async (url, options) => {
    const wanted = new URL(url);
    // Only the issuer's own host is ours to reach directly.
    if (wanted.host !== issuerUrl.host) throw new Error(`the console only calls its own issuer, not ${wanted.origin}`);
    const headers: Record<string, string> = { ...Object.fromEntries(new Headers(options.headers).entries()), host: issuerUrl.host, 'x-forwarded-proto': issuerUrl.protocol.slice(0, -1) };
    const body = options.body === undefined || options.body === null ? undefined : Buffer.from(await new Response(options.body as BodyInit).arrayBuffer());
    return new Promise((resolve, reject) => {
      const req = request({ host: target.hostname.replace(/^\[|\]$/g, ''), port: target.port, method: options.method ?? 'GET', path: `${wanted.pathname}${wanted.search}`, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) responseHeaders.append(name, v);
          }
          const status = res.statusCode ?? 502;
          resolve(new Response([204, 304].includes(status) ? null : Buffer.concat(chunks), { status, headers: responseHeaders }));
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      options.signal?.addEventListener('abort', () => req.destroy(options.signal!.reason as Error));
      req.end(body);
    });
  };
}
