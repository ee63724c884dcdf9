/** Serves the few static files the pages use (CSS and the progressive-enhancement script) from `views/assets/`. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Router from '@koa/router';

const ASSETS = { 'brygga.css': 'text/css', 'login.js': 'application/javascript' } as const;

export function assetRoutes(): Router {
  const router = new Router();
  for (const [name, type] of Object.entries(ASSETS)) {
    const body = readFileSync(fileURLToPath(new URL(`../../views/assets/${name}`, import.meta.url)));
    router.get(`/assets/${name}`, (ctx) => {
      ctx.type = type;
      ctx.set('cache-control', 'public, max-age=300');
      ctx.body = body;
    });
  }
  return router;
}
