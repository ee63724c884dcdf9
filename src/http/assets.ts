/** Serves the few static files the pages use (CSS, the progressive-enhancement script and its QR encoder, the icon) from `views/assets/`. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Router from '@koa/router';

const ASSETS: Record<string, [file: string, type: string]> = {
  '/assets/brygga.css': ['brygga.css', 'text/css'],
  '/assets/login.js': ['login.js', 'application/javascript'],
  '/assets/qr.js': ['qr.js', 'application/javascript'],
  '/assets/favicon.svg': ['favicon.svg', 'image/svg+xml'],
  // Browsers ask for /favicon.ico where a page names no icon (JSON answers, the discovery document).
  '/favicon.ico': ['favicon.svg', 'image/svg+xml'],
};

export function assetRoutes(): Router {
  const router = new Router();
  for (const [path, [file, type]] of Object.entries(ASSETS)) {
    const body = readFileSync(fileURLToPath(new URL(`../../views/assets/${file}`, import.meta.url)));
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    router.get(path, (ctx) => {
      ctx.type = type;
      // Revalidated on every page load (a 304 when unchanged): a page never runs a script older than the server
      // it talks to, also right after a deploy that changed what the status answers carry.
      ctx.set('cache-control', 'public, no-cache');
      ctx.set('etag', etag);
      ctx.status = 200; // koa compares validators only for a 2xx
      if (ctx.fresh) {
        ctx.status = 304;
        return;
      }
      ctx.body = body;
    });
  }
  return router;
}
