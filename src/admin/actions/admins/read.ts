/** GET /admin/api/admins/:admin_id — one admin (never the personal number, nor anything derived from it). */
import { adminView } from '../../admin-view.ts';
import { adminOf, type Action } from '../../context.ts';
import { visibleAdmin } from './visible.ts';

export const readAdmin: Action = (deps) => async (ctx) => {
  ctx.body = adminView(await visibleAdmin(deps, deps.db, adminOf(ctx).principal, ctx.params.admin_id!));
};
