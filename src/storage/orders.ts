/** BankID orders: creation, the per-order collect lease shared by all replicas, results, liveness and clean-up. */
import { sql, type QueryCreator, type Selectable } from 'kysely';
import type { Db } from './database.ts';
import { appendToLedger, LEDGER_SOURCE, ledgerEntryOf, type CancelledBy } from './ledger.ts';
import { requestScope } from './request-scope.ts';
import type { BankIdOrdersTable, Database } from './schema.ts';

/**
 * `status = 'pending'` written out, not as a parameter: a prepared statement's generic plan can then use the partial
 * indexes of pending orders. With a parameter only a plan made for the value could, so every run was planned anew.
 */
const PENDING = sql.lit<'pending'>('pending');

export type OrderRow = Selectable<BankIdOrdersTable>;
export type OrderStatus = OrderRow['status'];
export type PolledOrder = OrderRow & { db_now: Date };

/**
 * Request-scope kinds of an interaction's latest order, polled by the statement that also read the interaction
 * (interaction-context.ts), with or without counting a render of the order page. Each is taken once: later reads of
 * the request (after it started or cancelled an order) go to the database.
 */
export const POLLED_ORDER = 'PolledOrder';
export const RENDERED_ORDER = 'RenderedOrder';

/**
 * The poll of an interaction's latest order, as a statement of its own or inside another: marks it as seen, clears
 * the mark of its page's beacon (the page is back), counts a `render` of its page, and returns it with `db_now`.
 */
export function pollLatest(db: QueryCreator<Database>, interactionId: string, render: boolean) {
  return db.updateTable('bankid_orders')
    .set({ last_seen_at: sql`now()`, left_at: null, ...(render ? { page_renders: sql`page_renders + 1` } : {}) })
    .where('id', '=', (eb) => eb.selectFrom('bankid_orders').select('id').where('interaction_id', '=', interactionId).orderBy('created_at', 'desc').limit(1))
    .returningAll()
    .returning(sql<Date>`now()`.as('db_now'));
}

/** The order a statement of this request already polled (see POLLED_ORDER), taken out of the scope; undefined: none was. */
function takePolled(interactionId: string, kinds: readonly string[]): { row: PolledOrder | undefined } | undefined {
  const scope = requestScope();
  const kind = kinds.find((k) => scope?.has(k, interactionId));
  if (!scope || !kind) return undefined;
  const row = scope.take(kind, interactionId) as PolledOrder | null;
  return { row: row ?? undefined };
}

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
  /** `sentDataDigest` of the texts sent to BankID: the completion must have signed exactly these. */
  sentDataDigest: string;
  /** A payment's transaction (BankID's `userVisibleTransaction` and `riskFlags`): its claim names what was approved. */
  payment?: Record<string, unknown>;
  /** The request that started it (its X-Request-Id). */
  requestId?: string;
  /** A phone order: the CIBA request it answers. */
  cibaRequestId?: string;
  /** The first collect is due this long after now (database clock); undefined: at once. */
  firstCollectAfterMs?: number;
}

/**
 * What a statement that changes an order returns of it: what its domain events and the collector need, never the
 * completion it may just have stored (10–15 KB that would travel back for nothing).
 */
const CHANGED_COLUMNS = ['id', 'client_id', 'start_method', 'request_id', 'status', 'collect_failures'] as const;
/** The CTE of a statement that may finish an order: what its ledger row and then the caller need. */
const finishedColumns = [...LEDGER_SOURCE, 'request_id', 'collect_failures'] as const;
/** An order as the statement that finished it left it, with its tenant as its ledger row names it. */
export type FinishedOrder = Pick<OrderRow, typeof CHANGED_COLUMNS[number]> & { tenant_id: string | null };

export interface OrderUpdate {
  status: OrderStatus;
  hintCode?: string | null;
  errorCode?: string | null;
  completion?: Record<string, unknown>;
  subject?: string;
  pickedUp?: boolean;
  /** The ledger's keyed hash of the person who completed it. */
  personKey?: string;
  /** Who cancelled an order we cancel. */
  cancelledBy?: CancelledBy;
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
      sent_data_digest: order.sentDataDigest,
      payment: order.payment ? JSON.stringify(order.payment) : null,
      request_id: order.requestId ?? null,
      ciba_request_id: order.cibaRequestId ?? null,
      // The collect lease of nobody: no replica claims the order before it.
      collect_lease_until: order.firstCollectAfterMs ? sql<Date>`now() + make_interval(secs => ${order.firstCollectAfterMs / 1000})` : null,
      hint_code: order.startMethod === 'phone' ? null : 'outstandingTransaction',
      error_code: null,
      completion: null,
      subject: null,
    }).execute();
  }

  /**
   * One statement per status poll (and per stream opening): marks the interaction's latest order as seen and returns
   * it. `db_now` is the database clock, the same one `created_at` (the QR's t0) was taken from. A `render` of the
   * order's page also counts the page, whose number (`page_renders`) its leave beacon sends back. No statement when
   * the interaction's own read already polled it in this request the same way.
   */
  async poll(interactionId: string, render = false): Promise<PolledOrder | undefined> {
    const polled = takePolled(interactionId, [render ? RENDERED_ORDER : POLLED_ORDER]);
    if (polled) return polled.row;
    return pollLatest(this.#db, interactionId, render).executeTakeFirst();
  }

  /** How many orders are pending on all replicas together (metrics): the partial index of pending orders answers it. */
  async countPending(): Promise<number> {
    const row = await this.#db.selectFrom('bankid_orders').select((eb) => eb.fn.countAll<string>().as('n')).where('status', '=', PENDING).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Takes the collect lease of up to `limit` pending orders that nobody collected within the lease, in one
   * statement; rows another replica is claiming at this moment are skipped, not waited for. Whoever gets a row
   * collects it, and nobody else can until `leaseMs` has passed. The lease counts from when the row is written
   * (`clock_timestamp()`), not from when the statement began, which under load can be much earlier.
   */
  async claimDue(limit: number, leaseMs: number): Promise<OrderRow[]> {
    if (limit <= 0) return [];
    return this.#db.updateTable('bankid_orders')
      // Every claim is followed by one collect: the ledger's count of them.
      .set({ collect_lease_until: sql`clock_timestamp() + make_interval(secs => ${leaseMs / 1000})`, collects: sql`collects + 1` })
      .where('id', 'in', (eb) => eb.selectFrom('bankid_orders').select('id')
        .where('status', '=', PENDING)
        .where((w) => w.or([w('collect_lease_until', 'is', null), w('collect_lease_until', '<=', sql<Date>`now()`)]))
        .orderBy('collect_lease_until', (ob) => ob.asc().nullsFirst())
        .limit(limit)
        .forUpdate()
        .skipLocked())
      .where('status', '=', PENDING)
      .returningAll()
      .execute();
  }

  /**
   * Pages that watch these orders are still there (their streams are open): one statement for them all. Returns the
   * ones still pending with their hint, so a watcher can tell whether it missed a change. An order whose page sent its
   * beacon is not kept: the stream it opened before may not have closed yet, and only a new poll means the page is back.
   */
  async touch(ids: readonly string[]): Promise<{ id: string; hint_code: string | null }[]> {
    if (ids.length === 0) return [];
    return this.#db.updateTable('bankid_orders').set({ last_seen_at: sql`now()` })
      .where('id', '=', sql<string>`any(${[...ids]}::text[])`)
      .where('status', '=', PENDING)
      .where('left_at', 'is', null)
      .returning(['id', 'hint_code'])
      .execute();
  }

  /** These orders as they are now, with the database clock; one statement for them all. */
  async byIds(ids: readonly string[]): Promise<(OrderRow & { db_now: Date })[]> {
    if (ids.length === 0) return [];
    return this.#db.selectFrom('bankid_orders').selectAll().select(sql<Date>`now()`.as('db_now'))
      .where('id', '=', sql<string>`any(${[...ids]}::text[])`)
      .execute();
  }

  /** The newest order of an interaction (a retry starts a new one); no statement when this request polled it already. */
  async latestForInteraction(interactionId: string): Promise<OrderRow | undefined> {
    const polled = takePolled(interactionId, [POLLED_ORDER, RENDERED_ORDER]);
    if (polled) return polled.row;
    return this.#db.selectFrom('bankid_orders').selectAll().where('interaction_id', '=', interactionId)
      .orderBy('created_at', 'desc').limit(1).executeTakeFirst();
  }

  /**
   * Records what collect (or a cancel) said; an answer ends a run of collect failures. A terminal state is written
   * once: a late writer cannot undo it. The statement that finishes an order also appends its ledger row, and
   * returns the tenant that row names.
   */
  async update(id: string, update: OrderUpdate): Promise<FinishedOrder | undefined> {
    const terminal = update.status !== 'pending';
    const changed = (db: QueryCreator<Database>) => db.updateTable('bankid_orders')
      .set({
        status: update.status,
        hint_code: update.hintCode ?? null,
        error_code: update.errorCode ?? null,
        collect_failures: 0,
        updated_at: sql`now()`,
        ...(update.completion ? { completion: JSON.stringify(update.completion) } : {}),
        ...(update.subject ? { subject: update.subject } : {}),
        ...(update.pickedUp ? { picked_up_at: sql`coalesce(picked_up_at, now())` } : {}),
        // The digest of the sent texts served the completion's check; a finished order keeps no trace of them.
        ...(terminal ? { completed_at: sql`now()`, sent_data_digest: null } : {}),
      })
      .where('id', '=', id)
      .where('status', '=', 'pending');
    if (update.status === 'pending') {
      const row = await changed(this.#db).returning(CHANGED_COLUMNS).executeTakeFirst();
      return row && { ...row, tenant_id: null }; // no ledger row yet
    }
    const entry = ledgerEntryOf(update.status, update.hintCode, update.cancelledBy, update.personKey);
    return this.#db.with('finished', (db) => changed(db).returning(finishedColumns)).with('ledger', (db) => appendToLedger(db, entry).returning('tenant_id'))
      .selectFrom('finished').select(CHANGED_COLUMNS).select((eb) => eb.selectFrom('ledger').select('ledger.tenant_id').as('tenant_id'))
      .executeTakeFirst();
  }

  /**
   * Counts a collect that got no usable answer; the `limit`-th in a row fails the order with `errorCode`, in the
   * same statement, so replicas agree on when to give up. Undefined when the order is no longer pending.
   */
  async recordCollectFailure(id: string, errorCode: string, limit: number): Promise<FinishedOrder | undefined> {
    const givesUp = sql<boolean>`collect_failures + 1 >= ${limit}`;
    return this.#db.with('finished', (db) => db.updateTable('bankid_orders')
      .set({
        collect_failures: sql`collect_failures + 1`,
        status: sql`case when ${givesUp} then 'failed' else status end`,
        error_code: sql`case when ${givesUp} then ${errorCode} else error_code end`,
        completed_at: sql`case when ${givesUp} then now() else completed_at end`,
        updated_at: sql`now()`,
      })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .returning(finishedColumns))
      // Appends only when this collect gave the order up.
      .with('ledger', (db) => appendToLedger(db, ledgerEntryOf('failed', null)).returning('tenant_id'))
      .selectFrom('finished').select(CHANGED_COLUMNS).select((eb) => eb.selectFrom('ledger').select('ledger.tenant_id').as('tenant_id'))
      .executeTakeFirst();
  }

  /**
   * Phone orders that ended at least `settleS` ago (and within `withinS`) whose CIBA request is still unanswered and
   * alive: the process that ended them stopped before it answered.
   */
  async unansweredPhoneOrders(settleS: number, withinS: number, limit = 100): Promise<string[]> {
    const ago = (s: number) => sql<Date>`now() - make_interval(secs => ${s})`;
    const rows = await this.#db.selectFrom('bankid_orders as o')
      .innerJoin('oidc_payload as p', (join) => join.on('p.model', '=', 'BackchannelAuthenticationRequest').onRef('p.id', '=', 'o.ciba_request_id'))
      .select('o.id')
      .where('o.ciba_request_id', 'is not', null)
      .where('o.completed_at', '<', ago(settleS))
      .where('o.completed_at', '>', ago(withinS))
      .where('p.consumed_at', 'is', null)
      .where('p.expires_at', '>', sql<Date>`now()`)
      .where(sql<boolean>`p.payload ->> 'grantId' is null and p.payload ->> 'error' is null`)
      .limit(limit)
      .execute();
    return rows.map((row) => row.id);
  }

  /**
   * The page's beacon: its order is cancelled unless a poll comes after this (see `abandoned`). A beacon naming its
   * `page` marks the order only while that page is still the latest rendered: checked in this one statement, so the
   * late beacon of a page already replaced changes nothing. False when nothing was marked.
   */
  async markLeft(id: string, page?: number): Promise<boolean> {
    const marked = await this.#db.updateTable('bankid_orders').set({ left_at: sql`now()` })
      .where('id', '=', id).where('status', '=', 'pending')
      .$if(page !== undefined, (q) => q.where('page_renders', '=', page!))
      .executeTakeFirst();
    return marked.numUpdatedRows > 0n;
  }

  /** Uses the same-device return nonce; false when it was used before. */
  async useReturnNonce(id: string, nonce: string): Promise<boolean> {
    const used = await this.#db.updateTable('bankid_orders').set({ return_used_at: sql`now()` })
      .where('id', '=', id).where('return_nonce', '=', nonce).where('return_used_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    return used !== undefined;
  }

  /**
   * Pending orders nobody watches: QR pages poll every second, same-device pages sleep while the app is open, and a
   * page that said it left (beacon) and was not polled since is gone after `leftGraceS`. Phone orders have no page:
   * BankID's own expiry ends them.
   */
  async abandoned(qrIdleS: number, sameDeviceIdleS: number, leftGraceS: number, limit = 100): Promise<OrderRow[]> {
    const ago = (s: number) => sql<Date>`now() - make_interval(secs => ${s})`;
    return this.#db.selectFrom('bankid_orders').selectAll()
      .where('status', '=', PENDING)
      .where((eb) => eb.or([
        eb.and([eb('start_method', '=', 'qr'), eb('last_seen_at', '<', ago(qrIdleS))]),
        eb.and([eb('start_method', '=', 'same_device'), eb('last_seen_at', '<', ago(sameDeviceIdleS))]),
        // A poll in the same clock tick as the beacon (PGlite's clock is coarse) counts as coming back.
        eb.and([eb('left_at', '<=', ago(leftGraceS)), eb('last_seen_at', '<', eb.ref('left_at'))]),
      ]))
      .limit(limit)
      .execute();
  }
}
