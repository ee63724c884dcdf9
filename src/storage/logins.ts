/**
 * Which completed BankID order each login and grant belongs to. A login attaches its order to the broker session;
 * every code issued from that session binds the code's grant to the session's latest order; tokens find their
 * claims through their grant, so they never show another login's data.
 */
import { sql } from 'kysely';
import type { Db } from './database.ts';

export interface LoginOrder {
  orderRef: string;
  completion: Record<string, unknown> | null;
}

export class LoginRepository {
  readonly #db: Db;
  constructor(db: Db) { this.#db = db; }

  /** A login finished with this order: the session now speaks for it. */
  async attachSession(orderId: string, sessionUid: string): Promise<void> {
    await this.#db.updateTable('bankid_orders').set({ session_uid: sessionUid })
      .where('id', '=', orderId).where('status', '=', 'complete').execute();
  }

  /** A code was issued for `grantId` from this session: its tokens speak for the session's latest login. */
  async bindGrant(grantId: string, sessionUid: string): Promise<void> {
    await this.#db.insertInto('login_grants')
      .columns(['grant_id', 'order_id'])
      .expression((eb) => eb.selectFrom('bankid_orders')
        .select([sql<string>`${grantId}`.as('grant_id'), 'id'])
        .where('session_uid', '=', sessionUid).where('status', '=', 'complete')
        .orderBy('completed_at', 'desc').limit(1))
      .onConflict((oc) => oc.column('grant_id').doUpdateSet({ order_id: (eb) => eb.ref('excluded.order_id'), created_at: sql`now()` }))
      .execute();
  }

  /** The order behind a grant, if it was completed by this subject (or its personal data is already deleted). */
  async orderForGrant(grantId: string, subject: string): Promise<LoginOrder | undefined> {
    const row = await this.#db.selectFrom('login_grants as g')
      .innerJoin('bankid_orders as o', 'o.id', 'g.order_id')
      .select(['o.order_ref', 'o.completion'])
      .where('g.grant_id', '=', grantId)
      .where((eb) => eb.or([eb('o.subject', '=', subject), eb.and([eb('o.subject', 'is', null), eb('o.completion', 'is', null)])]))
      .executeTakeFirst();
    return row && { orderRef: row.order_ref, completion: row.completion };
  }
}
