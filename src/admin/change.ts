/**
 * Every change through the admin API runs here: in one transaction with the audit row that records it, so a change
 * is never without its record and a failed change leaves neither. A change of a tenant the caller may only read is
 * undone here (403), whichever handler made it.
 */
import type { Context } from 'koa';
import type { Db } from '../storage/database.ts';
import { writeAudit } from '../storage/audit.ts';
import { adminOf, type AdminDeps } from './context.ts';
import { assertMayChange } from './principal.ts';

export interface Change {
  tenantId: string | null;
  action: 'create' | 'update' | 'delete' | 'rotate_secret' | 'activate' | 'rollback';
  objectType: string;
  objectId: string;
  /** The object before and after, without secrets; null when it did not or no longer exists. */
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/** Runs `work` in a transaction and writes its change to the audit trail in the same transaction. */
export async function commitChange<T>(deps: AdminDeps, ctx: Context, work: (trx: Db) => Promise<{ change: Change; result: T }>): Promise<T> {
  const { principal } = adminOf(ctx);
  return deps.db.transaction().execute(async (trx) => {
    const { change, result } = await work(trx);
    assertMayChange(principal, change.tenantId);
    await writeAudit(trx, { ...change, actor: principal.actor, requestId: ctx.state.requestId ?? null });
    return result;
  });
}
