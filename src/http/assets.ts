/** Serves the few static files the pages use (CSS, the progressive-enhancement script and its QR encoder, the icon) from `views/assets/`. */
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
    router.get(path, (ctx) => {
      ctx.type = type;
      ctx.set('cache-control', 'public, max-age=300');
      ctx.body = body;
    });
  }
  return router;
}
