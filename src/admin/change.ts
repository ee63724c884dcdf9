/**
 * Every change through the admin API (and dynamic client registration) runs here: in one transaction with the audit
 * row that records it, so a change is never without its record and a failed change leaves neither.
 */
import type { Context } from 'koa';
import type { Db } from '../storage/database.ts';
import { writeAudit } from '../storage/audit.ts';
import { adminOf, type AdminDeps } from './context.ts';

export interface Change {
  tenantId: string | null;
  action: 'create' | 'update' | 'delete' | 'rotate_secret';
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

/** Runs `work` in a transaction and writes its change, by `author`, to the audit trail in the same transaction. */
export async function commitAudited<T>(db: Db, author: Author, work: (trx: Db) => Promise<{ change: Change; result: T }>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    const { change, result } = await work(trx);
    await writeAudit(trx, { ...change, ...author });
    return result;
  });
}

/** A change by the admin API's caller. */
export async function commitChange<T>(deps: AdminDeps, ctx: Context, work: (trx: Db) => Promise<{ change: Change; result: T }>): Promise<T> {
  return commitAudited(deps.db, { actor: adminOf(ctx).principal.actor, requestId: ctx.state.requestId ?? null }, work);
}
