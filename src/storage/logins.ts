/**
 * Which completed BankID order each login and grant belongs to. A login attaches its order to the broker session;
 * every code issued from that session binds the code's grant to the session's latest order; tokens find their
 * claims through their grant, so they never show another login's data.
 */
import { sql, type Compilable, type OnConflictBuilder, type OperationNodeSource } from 'kysely';
import type { Db } from './database.ts';
import { entityWrites } from './oidc-writes.ts';
import type { Database } from './schema.ts';
import { requestScope } from './request-scope.ts';
import { LOGIN_ORDER } from './token-context.ts';

export interface LoginOrder {
  orderRef: string;
  operation: string;
  completion: Record<string, unknown> | null;
  /** A payment order's transaction. */
  payment: Record<string, unknown> | null;
}

interface GrantOrder extends LoginOrder { subject: string | null }

/** Completed by this subject, or its personal data (subject included) already deleted by retention. */
const belongsTo = (order: GrantOrder, subject: string) => order.subject === subject || (order.subject === null && order.completion === null);

/** A grant re-bound (a code replayed into a new login, or SSO) speaks for its latest login. */
const rebind = (oc: OnConflictBuilder<Database, 'login_grants'>) =>
  oc.column('grant_id').doUpdateSet({ order_id: (eb) => eb.ref('excluded.order_id'), created_at: sql`now()` });

export class LoginRepository {
  readonly #db: Db;
  constructor(db: Db) { this.#db = db; }

  /**
   * A login finished with this order: the session now speaks for it. Like the other bindings, it goes with the
   * request's entity writes (one statement at the end of a provider request; at once outside one).
   */
  async attachSession(orderId: string, sessionUid: string): Promise<void> {
    await this.#write(this.#db.updateTable('bankid_orders').set({ session_uid: sessionUid })
      .where('id', '=', orderId).where('status', '=', 'complete'));
  }

  /** A code was issued for `grantId` from this session: its tokens speak for the session's latest login. */
  async bindGrant(grantId: string, sessionUid: string): Promise<void> {
    await this.#write(this.#db.insertInto('login_grants')
      .columns(['grant_id', 'order_id'])
      .expression((eb) => eb.selectFrom('bankid_orders')
        .select([sql<string>`${grantId}`.as('grant_id'), 'id'])
        .where('session_uid', '=', sessionUid).where('status', '=', 'complete')
        .orderBy('completed_at', 'desc').limit(1))
      .onConflict(rebind));
  }

  /**
   * A code speaks for this very order: a signature's (the order never joins the session, so no later code of the
   * session, single sign-on, can speak for it), or the login that just completed it, written with `attachSession`
   * in one statement (whose parts do not see each other: hence not `bindGrant`).
   */
  async bindGrantToOrder(grantId: string, orderId: string): Promise<void> {
    await this.#write(this.#db.insertInto('login_grants')
      .columns(['grant_id', 'order_id'])
      .expression((eb) => eb.selectFrom('bankid_orders')
        .select([sql<string>`${grantId}`.as('grant_id'), 'id'])
        .where('id', '=', orderId).where('status', '=', 'complete'))
      .onConflict(rebind));
  }

  /** The order behind a grant, if it was completed by this subject (or its personal data is already deleted). */
  async orderForGrant(grantId: string, subject: string): Promise<LoginOrder | undefined> {
    // Usually already read with the token of this request (token-context.ts).
    const scope = requestScope();
    const order = scope?.has(LOGIN_ORDER, grantId) ? scope.peek(LOGIN_ORDER, grantId) as GrantOrder | null : await this.#orderOf(grantId);
    return order && belongsTo(order, subject) ? { orderRef: order.orderRef, operation: order.operation, completion: order.completion, payment: order.payment } : undefined;
  }

  async #orderOf(grantId: string): Promise<GrantOrder | null> {
    await entityWrites(this.#db).flush(); // a binding of this very request first
    const row = await this.#db.selectFrom('login_grants as g')
      .innerJoin('bankid_orders as o', 'o.id', 'g.order_id')
      .select(['o.order_ref', 'o.operation', 'o.completion', 'o.payment', 'o.subject'])
      .where('g.grant_id', '=', grantId)
      .executeTakeFirst();
    return row ? { orderRef: row.order_ref, operation: row.operation, completion: row.completion, payment: row.payment, subject: row.subject } : null;
  }

  #write(query: Compilable & OperationNodeSource): Promise<void> {
    return entityWrites(this.#db).also(sql`${query}`);
  }
}
