/**
 * The console changes and reads nothing by itself: each page calls an operation of the admin API's route table
 * in-process, with the same input checks, handler, authorization and audit as a call to /admin/api. The answer comes
 * back as data for the page to render; an error is thrown as the API would report it.
 */
import type { Context } from 'koa';
import type { AdminDeps } from '../admin/context.ts';
import { parse } from '../admin/input.ts';
import { assertMayChangeSomething, type Principal } from '../admin/principal.ts';
import { ADMIN_ROUTES } from '../admin/routes.ts';

export interface AdminCall {
  params?: Record<string, string>;
  query?: Record<string, string | undefined>;
  body?: unknown;
  /** The answer as a file: its body, type and file name (`attachment`), as the API would send it. */
  download?: boolean;
}

export interface AdminFile { body: unknown; type: string; filename: string | undefined }

const byOperation = new Map(ADMIN_ROUTES.map((route) => [route.operationId, route]));

export type CallAdmin = (ctx: Context, principal: Principal, operationId: string, call?: AdminCall) => Promise<any>;

export function adminCaller(deps: AdminDeps): CallAdmin {
  const actions = new Map(ADMIN_ROUTES.map((route) => [route.operationId, route.action(deps)]));
  return async (ctx, principal, operationId, call = {}) => {
    const route = byOperation.get(operationId);
    if (!route) throw new Error(`no admin operation ${operationId}`);
    if (route.method !== 'get') assertMayChangeSomething(principal);
    const query = Object.fromEntries(Object.entries(call.query ?? {}).filter(([, v]) => v !== undefined && v !== ''));
    const admin = {
      principal,
      query: route.query ? parse(route.query, query) : undefined,
      body: route.body ? parse(route.body, call.body ?? {}) : undefined,
    };
    // Only what the handlers use of a koa context: the path parameters, the state, and where the answer goes.
    const inner = {
      params: call.params ?? {}, state: { requestId: ctx.state.requestId, admin }, status: 200, body: undefined as unknown,
      type: 'application/json', filename: undefined as string | undefined, attachment(name: string) { inner.filename = name; },
    };
    await actions.get(operationId)!(inner as unknown as Context, async () => {});
    return call.download ? { body: inner.body, type: inner.type, filename: inner.filename } satisfies AdminFile : inner.body;
  };
}
