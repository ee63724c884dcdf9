/**
 * The usage page of a tenant (`/admin/tenants/:tenant_id/usage`): a month's table per client and certificate and two
 * charts, from the admin API's usage report; its CSV is the API's own, under the console session.
 */
import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { consoleTexts } from '../i18n/console-texts.ts';
import type { AdminFile } from './admin-call.ts';
import { consoleLocale, renderConsole, signedIn, type ConsoleDeps } from './context.ts';
import { withFieldErrors } from './pages.ts';
import { monthAfter, monthAt, usageView } from './usage.ts';

const MONTH_FIELD = [{ name: 'month', kind: 'text' as const }];

export function usageRoutes(router: Router, deps: ConsoleDeps, auth: Middleware): void {
  const call = (ctx: Context, operationId: string, options?: Parameters<ConsoleDeps['call']>[3]) => deps.call(ctx, signedIn(ctx).principal, operationId, options);
  const report = (ctx: Context, month: string, by: 'month' | 'day') => call(ctx, 'readUsage', { params: ctx.params, query: { month, by } });

  router.get('/tenants/:tenant_id/usage', auth, async (ctx) => {
    const c = consoleTexts(consoleLocale(ctx));
    const tenant = await call(ctx, 'readTenant', { params: ctx.params });
    const asked = typeof ctx.query.month === 'string' ? ctx.query.month : undefined;
    const page = (data: Record<string, unknown>) => renderConsole(ctx, 'usage', `${c.usage}: ${tenant.id}`, { tenant, month: asked ?? '', errors: { byField: {}, other: [] }, ...data });
    await withFieldErrors(ctx, MONTH_FIELD, async () => {
      // This month in the tenant's time zone, which the report names.
      let month = asked ?? monthAt(deps.now(), 'UTC');
      let monthly = await report(ctx, month, 'month');
      if (!asked && monthAt(deps.now(), monthly.time_zone) !== month) monthly = await report(ctx, month = monthAt(deps.now(), monthly.time_zone), 'month');
      const view = usageView(monthly, await report(ctx, month, 'day'));
      page({ month, report: monthly, view, previous: monthAfter(month, -1), next: monthAfter(month, 1) });
    }, (errors) => Promise.resolve(page({ errors })));
  });

  router.get('/tenants/:tenant_id/usage.csv', auth, async (ctx) => {
    const file = await call(ctx, 'readUsage', { params: ctx.params, query: { month: ctx.query.month as string, format: 'csv' }, download: true }) as AdminFile;
    ctx.type = file.type;
    if (file.filename) ctx.attachment(file.filename);
    ctx.body = file.body;
  });
}
