/** BankID orders: creation, the per-order collect lease shared by all replicas, results and clean-up. */
import { sql, type Selectable } from 'kysely';
import type { Db } from './database.ts';
import type { BankIdOrdersTable } from './schema.ts';

export type OrderRow = Selectable<BankIdOrdersTable>;
export type OrderStatus = OrderRow['status'];

export interface NewOrder {
  id: string;
  orderRef: string;
  operation: OrderRow['operation'];
  startMethod: OrderRow['start_method'];
  rpCertificate: string;
  clientId?: string;
  interactionId?: string;
  browserBinding?: string;
  returnNonce?: string;
  qrStartToken?: string;
  qrStartSecret?: string;
  autoStartToken?: string;
}

export interface OrderUpdate {
  status: OrderStatus;
  hintCode?: string | null;
  errorCode?: string | null;
  completion?: Record<string, unknown>;
  subject?: string;
  pickedUp?: boolean;
}

export class OrderRepository {
  readonly #db: Db;
  constructor(db: Db) { this.#db = db; }

  async create(order: NewOrder): Promise<void> {
    await this.#db.insertInto('bankid_orders').values({
      id: order.id,
      order_ref: order.orderRef,
      operation: order.operation,
      start_method: order.startMethod,
      rp_certificate: order.rpCertificate,
      client_id: order.clientId ?? null,
      interaction_id: order.interactionId ?? null,
      browser_binding: order.browserBinding ?? null,
      return_nonce: order.returnNonce ?? null,
      qr_start_token: order.qrStartToken ?? null,
      qr_start_secret: order.qrStartSecret ?? null,
      auto_start_token: order.autoStartToken ?? null,
      hint_code: order.startMethod === 'phone' ? null : 'outstandingTransaction',
      error_code: null,
      completion: null,
      subject: null,
    }).execute();
  }

  /**
   * One statement per status poll: marks the interaction's latest order as seen and, if it is pending and nobody
   * collected it within `intervalMs`, takes the collect lease. `leased` tells whether this caller must call BankID
   * collect now; `db_now` is the database clock, the same one `created_at` (the QR's t0) was taken from.
   */
  async poll(interactionId: string, intervalMs: number): Promise<(OrderRow & { leased: boolean; db_now: Date }) | undefined> {
    const lease = sql<Date>`now() + make_interval(secs => ${intervalMs / 1000})`;
    const free = sql<boolean>`status = 'pending' and (collect_lease_until is null or collect_lease_until <= now())`;
    return this.#db.updateTable('bankid_orders')
      .set({ last_seen_at: sql`now()`, collect_lease_until: sql`case when ${free} then ${lease} else collect_lease_until end` })
      .where('id', '=', (eb) => eb.selectFrom('bankid_orders').select('id').where('interaction_id', '=', interactionId).orderBy('created_at', 'desc').limit(1))
      .returningAll()
      .returning([sql<boolean>`collect_lease_until = ${lease}`.as('leased'), sql<Date>`now()`.as('db_now')])
      .executeTakeFirst();
  }

  /** The newest order of an interaction (a retry starts a new one). */
  async latestForInteraction(interactionId: string): Promise<OrderRow | undefined> {
    return this.#db.selectFrom('bankid_orders').selectAll().where('interaction_id', '=', interactionId)
      .orderBy('created_at', 'desc').limit(1).executeTakeFirst();
  }

  /** Records what collect (or a cancel) said. A terminal state is written once: a late writer cannot undo it. */
  async update(id: string, update: OrderUpdate): Promise<OrderRow | undefined> {
    const terminal = update.status !== 'pending';
    return this.#db.updateTable('bankid_orders')
      .set({
        status: update.status,
        hint_code: update.hintCode ?? null,
        error_code: update.errorCode ?? null,
        updated_at: sql`now()`,
        ...(update.completion ? { completion: JSON.stringify(update.completion) } : {}),
        ...(update.subject ? { subject: update.subject } : {}),
        ...(update.pickedUp ? { picked_up_at: sql`coalesce(picked_up_at, now())` } : {}),
        ...(terminal ? { completed_at: sql`now()` } : {}),
      })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .returningAll()
      .executeTakeFirst();
  }

  /** The completed order behind a login, by subject and (when known) the login's auth_time in epoch seconds. */
  async completedFor(subject: string, authTime?: number): Promise<OrderRow | undefined> {
    let query = this.#db.selectFrom('bankid_orders').selectAll()
      .where('subject', '=', subject).where('status', '=', 'complete');
    if (authTime !== undefined) query = query.where(sql<number>`floor(extract(epoch from completed_at))`, '=', authTime);
    return query.orderBy('completed_at', 'desc').limit(1).executeTakeFirst();
  }

  /** Pending orders whose page stopped asking: QR pages poll every second, same-device pages sleep while the app is open. */
  async abandoned(qrIdleS: number, sameDeviceIdleS: number, limit = 100): Promise<OrderRow[]> {
    return this.#db.selectFrom('bankid_orders').selectAll()
      .where('status', '=', 'pending')
      .where((eb) => eb.or([
        eb.and([eb('start_method', '=', 'qr'), eb('last_seen_at', '<', sql<Date>`now() - make_interval(secs => ${qrIdleS})`)]),
        eb.and([eb('start_method', '!=', 'qr'), eb('last_seen_at', '<', sql<Date>`now() - make_interval(secs => ${sameDeviceIdleS})`)]),
      ]))
      .limit(limit)
      .execute();
  }
}
