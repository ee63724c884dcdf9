/**
 * Every change through the admin API (and dynamic client registration) runs here: in one transaction with the audit
 * row that records it, so a change is never without its record and a failed change leaves neither. A change of a
 * tenant the admin may only read is undone here (403), whichever handler made it.
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

/** Who made a change: an admin, or a dynamic registration (its initial or registration access token). */
export interface Author {
  actor: string;
  requestId: string | null;
}

/**
 * Runs `work` in a transaction and writes its change, by `author`, to the audit trail in the same transaction;
 * `authorize` may refuse the change once it is known, which undoes it.
 */
export async function commitAudited<T>(db: Db, author: Author, work: (trx: Db) => Promise<{ change: Change; result: T }>, authorize?: (change: Change) => void): Promise<T> {
  return db.transaction().execute(async (trx) => {
    const { change, result } = await work(trx);
    authorize?.(change);
    await writeAudit(trx, { ...change, ...author });
    return result;
  });
}

/** A change by the admin API's caller. */
export async function commitChange<T>(deps: AdminDeps, ctx: Context, work: (trx: Db) => Promise<{ change: Change; result: T }>): Promise<T> {
  const { principal } = adminOf(ctx);
  return commitAudited(deps.db, { actor: principal.actor, requestId: ctx.state.requestId ?? null }, work, (change) => assertMayChange(principal, change.tenantId));
}
