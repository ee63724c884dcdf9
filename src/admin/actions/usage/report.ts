/** GET /admin/api/tenants/:tenant_id/usage — the usage report as JSON or CSV (the same rows and numbers). */
import { usageCsv, usageReport, monthDays } from '../../../usage/report.ts';
import { adminOf, type Action } from '../../context.ts';
import type { UsageQueryInput } from './schemas.ts';
import { visibleTenant } from './visible-tenant.ts';

export const readUsage: Action = (deps) => async (ctx) => {
  const { principal, query } = adminOf<unknown, UsageQueryInput>(ctx);
  const tenantId = await visibleTenant(deps, principal, ctx.params.tenant_id!);
  const days = query.month ? monthDays(query.month)! : { from: query.from!, to: query.to! };
  const report = await usageReport(deps.db, { tenantId, ...days, by: query.by });
  if (query.format === 'csv') {
    ctx.type = 'text/csv; charset=utf-8';
    ctx.attachment(`usage-${tenantId}-${query.month ?? `${days.from}--${days.to}`}.csv`);
    ctx.body = usageCsv(report);
  } else {
    ctx.body = report;
  }
};
