/**
 * The BankID order flow, independent of OIDC: start an order for a browser, report its state (what the collector,
 * src/orders/collector.ts, last wrote: a poll never calls BankID), cancel it, check the same-device return, and
 * clean up orders nobody watches any more. Whenever the flow gives an order up for its own reasons it cancels it at
 * BankID, so it never blocks the person's next login. The interaction layer talks to BankID only through this class.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { DomainEvents } from '../events/emitter.ts';
import type { CancelledBy } from '../events/types.ts';
import type { Logger } from '../observability/logger.ts';
import { BankIdError, BankIdRequestError } from '../bankid/errors.ts';
import { userMessage } from '../bankid/messages.ts';
import type { CompletionData, PaymentRequest, Requirement, SignRequest, WebDeviceData } from '../bankid/types.ts';
import { sentDataDigest } from '../bankid/verification/index.ts';
import { BrokerError, CATALOGUE, type ErrorCode } from '../errors/catalogue.ts';
import { safeEqual } from '../security/safe-equal.ts';
import type { OrderChangeNotice } from '../storage/notifications.ts';
import type { OrderRepository, OrderRow } from '../storage/orders.ts';
import { cancelAtBankId } from './cancel-at-bankid.ts';
import { keepOrder } from './keep-order.ts';
import { orderEvent } from './order-event.ts';
import type { BankIdConnections } from './connections.ts';
import { qrFrame, qrSource, qrTimeAt, type QrSource } from './qr-source.ts';
import { RecentRenders } from './recent-renders.ts';

export type StartMethod = 'qr' | 'same_device';

export interface StartOrder {
  /** An identification (BankID /auth), a signature (/sign, which needs `userVisibleData`) or a payment (/payment). Default auth. */
  operation?: 'auth' | 'sign' | 'payment';
  interactionId: string;
  clientId: string;
  startMethod: StartMethod;
  endUserIp: string;
  web: WebDeviceData;
  /** A digest of this browser's device cookie: status, return and finish must come from the same browser. */
  browserBinding: string;
  userVisibleData?: string;
  userVisibleDataFormat?: 'simpleMarkdownV1';
  /** Signed but not shown (a signature's data to be signed). */
  userNonVisibleData?: Uint8Array;
  requirement?: Requirement;
  /** A payment's transaction, required with operation `payment`. */
  payment?: Pick<PaymentRequest, 'userVisibleTransaction' | 'riskFlags'>;
  /** Same-device only: the URL BankID opens when the app is done, given the order's nonce. */
  returnUrlFor?: (nonce: string) => string;
  /** The browser is on a phone or tablet: chooses the wording of BankID's message when the start fails. */
  mobile: boolean;
  /** The request starting it (its X-Request-Id), kept with the order for the audit records of its end. */
  requestId?: string;
}

export type OrderState =
  | { state: 'pending'; orderId: string; startMethod: StartMethod; hintCode: string; qr?: string; autoStartToken?: string }
  | { state: 'failed'; orderId: string; startMethod: StartMethod; hintCode?: string; errorCode?: string }
  | { state: 'complete'; orderId: string; startMethod: StartMethod; orderRef: string; completion: CompletionData; subject: string; completedAt: Date };

/** What a watching page shows of an order: its state without BankID's completion (the finish reads that). */
export type ShownState = Exclude<OrderState, { state: 'complete' }> | { state: 'complete'; orderId: string; startMethod: StartMethod };

/** An order as a watching page's stream needs it: its state, and while a QR is shown what its frames are made of. */
export interface WatchedOrder {
  state: ShownState;
  qr?: QrSource;
}

/** A row's state, completion and all, with what its QR frames are made of. */
interface PolledOrder {
  state: OrderState;
  qr?: QrSource;
}

export interface OrderFlowOptions {
  /** The BankID API per client (its tenant's certificate) and per certificate (an order's collects and cancel). */
  bankid: BankIdConnections;
  orders: OrderRepository;
  logger: Logger;
  events: DomainEvents;
  /** How long a page that said it left may take to poll again before its order is cancelled. Default 3 s. */
  leftGraceMs?: number;
  /**
   * How long after the start an order is first collected (the collect interval: BankID asks for a collect every 2 s,
   * and nobody can have scanned the QR or opened the app at once). Default 0: at once.
   */
  firstCollectAfterMs?: number;
  /** This process's clock in ms, for how long a render's row serves its page's stream (tests move it). */
  now?: () => number;
}

/** errorCode of a call that got no answer at all (network, TLS, timeout). */
export const NO_ANSWER = 'transport';
/** errorCode of an order whose completion did not verify (src/bankid/verification). */
export const UNVERIFIED = 'bankid_result_unverified' satisfies ErrorCode;
/** The hint of a pending order before BankID said anything. */
const PENDING_HINT = 'outstandingTransaction';
/** The grace check runs this long after the grace, so the database clock has surely passed it. */
const GRACE_SLACK_MS = 250;
/** How long close() waits for background work. */
const CLOSE_WAIT_MS = 5000;

export class OrderFlow {
  readonly #o: OrderFlowOptions;
  readonly #leftGraceMs: number;
  readonly #running = new Set<Promise<void>>();
  readonly #graceTimers = new Set<NodeJS.Timeout>();
  readonly #renders: RecentRenders;

  constructor(options: OrderFlowOptions) {
    this.#o = options;
    this.#leftGraceMs = options.leftGraceMs ?? 3000;
    this.#renders = new RecentRenders({ now: options.now });
  }

  async start(request: StartOrder): Promise<{ orderId: string }> {
    const nonce = request.startMethod === 'same_device' && request.returnUrlFor ? randomBytes(18).toString('base64url') : undefined;
    const { api, rpCertificate } = await this.#o.bankid.forClient(request.clientId);
    const operation = request.operation ?? 'auth';
    const fields = {
      endUserIp: request.endUserIp,
      requirement: request.requirement,
      userVisibleData: request.userVisibleData,
      userVisibleDataFormat: request.userVisibleData ? request.userVisibleDataFormat : undefined,
      userNonVisibleData: request.userNonVisibleData,
      returnUrl: nonce ? request.returnUrlFor!(nonce) : undefined,
      returnRisk: true,
      web: request.web,
    };
    let response;
    try {
      // The client refuses a signature without userVisibleData, a payment without its transaction (request errors, not BankID's).
      if (operation === 'payment') response = await api.payment({ ...fields, ...request.payment } as PaymentRequest);
      else response = operation === 'sign' ? await api.sign(fields as SignRequest) : await api.auth(fields);
    } catch (err) {
      throw startError(err, request);
    }
    const orderId = randomUUID();
    await keepOrder(this.#o, {
      id: orderId,
      orderRef: response.orderRef,
      operation,
      startMethod: request.startMethod,
      rpCertificate,
      clientId: request.clientId,
      interactionId: request.interactionId,
      browserBinding: request.browserBinding,
      returnNonce: nonce,
      qrStartToken: response.qrStartToken,
      qrStartSecret: response.qrStartSecret,
      autoStartToken: response.autoStartToken,
      sentDataDigest: sentDataDigest({ userVisibleData: request.userVisibleData, userNonVisibleData: request.userNonVisibleData }),
      payment: request.payment,
      requestId: request.requestId,
      firstCollectAfterMs: this.#o.firstCollectAfterMs,
    });
    this.#o.events.emit('order.started', { orderId, clientId: request.clientId, startMethod: request.startMethod, rpCertificate, ...(request.requestId ? { requestId: request.requestId } : {}) });
    return { orderId };
  }

  /**
   * The current state of the interaction's latest order, if it belongs to this browser: one statement, which also
   * marks the order as watched (none when the request's read of the interaction polled it already). Never waits on BankID.
   */
  async status(interactionId: string, browserBinding: string): Promise<OrderState | undefined> {
    return (await this.#poll(interactionId, browserBinding))?.state;
  }

  /**
   * As `status`, with what a stream needs to draw fresh QR frames without asking again; for the stream's opening.
   * No statement when this replica rendered the order's page a moment ago and nothing changed since (recent-renders.ts).
   */
  async watch(interactionId: string, browserBinding: string): Promise<WatchedOrder | undefined> {
    const recent = this.#renders.take(interactionId);
    if (recent && sameBinding(recent.row.browser_binding, browserBinding)) return watched(recent.row, recent.dbNow);
    return this.#poll(interactionId, browserBinding);
  }

  /**
   * A render of the interaction's order page is about to poll (with the interaction's read): changes notified from
   * now on count against what it reads. Without this mark the render's row is not kept for the page's stream.
   */
  beforeRender(interactionId: string): void {
    this.#renders.markRequest(interactionId);
  }

  /**
   * As `status`, for a render of the order's page: the same statement counts the page, and `page` is its number,
   * which the page's leave beacon names (see `leave`). A pending order's row is kept a moment for the page's stream.
   */
  async render(interactionId: string, browserBinding: string): Promise<{ state: OrderState; page: number } | undefined> {
    const mark = this.#renders.requestMark(interactionId);
    const row = await this.#o.orders.poll(interactionId, true);
    if (!row || !sameBinding(row.browser_binding, browserBinding)) return undefined;
    if (row.status === 'pending' && mark !== undefined) this.#renders.remember(interactionId, row, mark);
    return { state: watched(row, row.db_now).state, page: row.page_renders };
  }

  /** A notification: the order's status or hint changed (on any replica). */
  changed(orderId: string): void {
    this.#renders.changed(orderId);
  }

  /** The listening connection is back: notifications in between are lost. */
  resync(): void {
    this.#renders.resync();
  }

  /** These orders as they are now (after a change was notified), by id; one statement. */
  async reread(orderIds: readonly string[]): Promise<Map<string, WatchedOrder>> {
    const rows = await this.#o.orders.byIds(orderIds);
    return new Map(rows.map((row) => [row.id, watched(row, row.db_now)]));
  }

  /**
   * Pages are still watching these orders over their streams: the janitor must leave them alone. One statement;
   * returns the hint of each that is still pending.
   */
  async stillWatched(orderIds: readonly string[]): Promise<Map<string, string>> {
    const rows = await this.#o.orders.touch(orderIds);
    return new Map(rows.map((row) => [row.id, row.hint_code ?? PENDING_HINT]));
  }

  /** Cancels the interaction's pending order at BankID (the person pressed cancel or started another order). */
  async cancelFor(interactionId: string, browserBinding: string): Promise<void> {
    const latest = await this.#o.orders.latestForInteraction(interactionId);
    if (latest && sameBinding(latest.browser_binding, browserBinding)) await this.#cancel(latest, 'person');
  }

  /**
   * The page's beacon as it goes away. A reload, a language switch or back/forward polls again at once and keeps the
   * order; without a poll within the grace it is cancelled (by this check, or by the janitor on any replica). The
   * beacon of page `page` (its number from `render`) counts only while no later page was rendered: the old page's
   * beacon may be processed after the reloaded page polled. A beacon without one (a cached older script) always counts.
   */
  async leave(interactionId: string, browserBinding: string, page?: number): Promise<void> {
    const latest = await this.#o.orders.latestForInteraction(interactionId);
    // Only QR pages send it; one that arrives after a switch to same-device speaks of the order that switch
    // cancelled, and a same-device page is left on purpose while the app is open.
    if (!latest || latest.start_method !== 'qr' || !sameBinding(latest.browser_binding, browserBinding)) return;
    // A stream opening from here on must poll to clear the mark, and so must one of a page whose render began while
    // the mark was being written (its statement may have run first).
    this.#renders.changed(latest.id);
    if (!(await this.#o.orders.markLeft(latest.id, page))) return;
    this.#renders.changed(latest.id);
    const timer = setTimeout(() => {
      this.#graceTimers.delete(timer);
      this.#background('cancel of left orders', () => this.cancelAbandoned());
    }, this.#leftGraceMs + GRACE_SLACK_MS);
    this.#graceTimers.add(timer);
  }

  /** The same-device return: right nonce, used once, same browser, same interaction — otherwise the attempt ends. */
  async verifyReturn(interactionId: string, nonce: string, browserBinding: string): Promise<boolean> {
    const latest = await this.#o.orders.latestForInteraction(interactionId);
    if (!latest) return false;
    const ok = Boolean(latest.return_nonce && safeEqual(latest.return_nonce, nonce) && sameBinding(latest.browser_binding, browserBinding))
      // Marked used in one statement: of two returns with one link, even at the same moment, one gets through.
      && await this.#o.orders.useReturnNonce(latest.id, nonce);
    if (!ok) await this.#cancel(latest, 'broker');
    return ok;
  }

  /**
   * Cancels orders whose page went away; returns how many. `watchedHere` names the orders a page still follows over
   * a stream of this process: they are not abandoned, however late this process's liveness statement (a crowd can
   * hold it up past the idle time).
   */
  async cancelAbandoned(qrIdleS = 30, sameDeviceIdleS = 240, watchedHere: (orderId: string) => boolean = () => false): Promise<number> {
    const rows = (await this.#o.orders.abandoned(qrIdleS, sameDeviceIdleS, this.#leftGraceMs / 1000)).filter((row) => !watchedHere(row.id));
    for (const row of rows) await this.#cancel(row, 'janitor');
    return rows.length;
  }

  /**
   * Before the database closes: drops pending grace checks (the janitor of any replica has them) and waits, bounded,
   * for running cancels.
   */
  async close(): Promise<void> {
    for (const timer of this.#graceTimers) clearTimeout(timer);
    this.#graceTimers.clear();
    await Promise.race([Promise.allSettled(this.#running), delay(CLOSE_WAIT_MS, undefined, { ref: false })]);
  }

  async #poll(interactionId: string, browserBinding: string): Promise<PolledOrder | undefined> {
    const row = await this.#o.orders.poll(interactionId);
    if (!row || !sameBinding(row.browser_binding, browserBinding)) return undefined;
    return watched(row, row.db_now);
  }

  /** Work nobody awaits: its failure is logged, and close() waits for it. */
  #background(what: string, work: () => Promise<unknown>): void {
    const running: Promise<void> = work().then(
      () => undefined,
      (err: unknown) => { this.#o.logger.error({ err: (err as Error).message }, `${what} failed`); },
    ).finally(() => this.#running.delete(running));
    this.#running.add(running);
  }

  async #cancel(row: OrderRow, by: CancelledBy): Promise<void> {
    if (row.status !== 'pending') return;
    // Recorded first and only if still pending: a concurrent collect that saw it complete wins.
    const finished = await this.#o.orders.update(row.id, { status: 'cancelled', hintCode: row.hint_code, cancelledBy: by });
    if (!finished) return;
    this.#o.events.emit('order.cancelled', { ...orderEvent(finished), by });
    await cancelAtBankId(this.#o.bankid, this.#o.logger, { orderRef: row.order_ref, rpCertificate: row.rp_certificate, orderId: row.id });
  }
}

/** The state a row says, with the QR frame of the moment `dbNow` (the database clock, as `created_at`). */
function watched(row: OrderRow, dbNow: Date): PolledOrder {
  const base = { orderId: row.id, startMethod: row.start_method as StartMethod };
  if (row.status === 'complete') {
    return { state: { ...base, state: 'complete', orderRef: row.order_ref, completion: row.completion as unknown as CompletionData, subject: row.subject!, completedAt: row.completed_at! } };
  }
  const state = unfinished(base, row.status, row.hint_code, row.error_code)!;
  if (state.state !== 'pending') return { state };
  const qr = showsQr(state) && row.qr_start_token && row.qr_start_secret ? qrSource(row.qr_start_token, row.qr_start_secret, row.created_at, dbNow) : undefined;
  return {
    state: {
      ...state,
      qr: qr ? qrFrame(qr, qrTimeAt(qr)) : undefined,
      autoStartToken: row.start_method === 'same_device' ? row.auto_start_token ?? undefined : undefined,
    },
    qr,
  };
}

/**
 * What a page watching `before` shows after a notified change, without reading the row; undefined when the row is
 * needed after all (a QR to show whose start token and secret the watcher has not got, a status this code does not know).
 */
export function afterChange(before: WatchedOrder, change: NonNullable<OrderChangeNotice['to']>): WatchedOrder | undefined {
  const base = { orderId: before.state.orderId, startMethod: before.state.startMethod };
  if (change.status === 'complete') return { state: { ...base, state: 'complete' } };
  const state = unfinished(base, change.status, change.hintCode, change.errorCode);
  if (state?.state !== 'pending' || !showsQr(state)) return state && { state };
  return before.qr && { state: { ...state, qr: qrFrame(before.qr, qrTimeAt(before.qr)) }, qr: before.qr };
}

type Base = { orderId: string; startMethod: StartMethod };

/** A state other than complete from the order's status, hint and error. */
function unfinished(base: Base, status: string, hintCode: string | null, errorCode: string | null): Exclude<OrderState, { state: 'complete' }> | undefined {
  // An order we cancelled reads like BankID's own `cancelled`: "the action was cancelled, try again".
  if (status === 'cancelled') return { ...base, state: 'failed', hintCode: 'cancelled' };
  if (status === 'failed') return { ...base, state: 'failed', hintCode: hintCode ?? undefined, errorCode: errorCode ?? undefined };
  if (status === 'pending') return { ...base, state: 'pending', hintCode: hintCode ?? PENDING_HINT };
  return undefined;
}

/** The QR is shown only until the app has picked the order up (BankID's own rule; a stale frame is useless). */
function showsQr(state: { startMethod: StartMethod; hintCode: string }): boolean {
  return state.startMethod === 'qr' && state.hintCode === 'outstandingTransaction';
}

/**
 * BankID's advice for a failed call; no answer at all is, to the person, BankID's technical trouble like a 500 (RFA5).
 * A completion that failed verification is our verdict, not BankID's: the catalogue says it.
 */
export function errorMessage(errorCode: string, startMethod: StartMethod | 'phone', mobile: boolean): Record<'sv' | 'en', string> {
  if (errorCode === UNVERIFIED) return CATALOGUE[UNVERIFIED].text;
  return userMessage({ errorCode: errorCode === NO_ANSWER ? 'internalError' : errorCode, startMethod, mobile });
}

/** Why an order did not start, with BankID's own advice to the person; our own bad request is not BankID's fault. */
export function startError(err: unknown, request: { startMethod: StartMethod | 'phone'; mobile: boolean }): BrokerError {
  if (err instanceof BankIdRequestError) return new BrokerError('request_invalid', err.message, { cause: err });
  const errorCode = err instanceof BankIdError ? err.errorCode : NO_ANSWER;
  const text = errorMessage(errorCode, request.startMethod, request.mobile);
  return new BrokerError('order_start_failed', `BankID order could not be started: ${errorCode}`, { cause: err, text });
}

function sameBinding(stored: string | null, presented: string): boolean {
  return stored !== null && safeEqual(stored, presented);
}
