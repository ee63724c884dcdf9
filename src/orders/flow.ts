/**
 * The BankID order flow, independent of OIDC: start an order for a browser, report its state (collecting at most
 * once per interval per order across all replicas, beside the poll rather than in it), cancel it, check the
 * same-device return, and clean up orders nobody watches any more. Whenever the flow gives an order up for its own
 * reasons it cancels it at BankID, so it never blocks the person's next login. The interaction layer talks to
 * BankID only through this class.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../observability/logger.ts';
import { BankIdError, BankIdRequestError, BankIdTransportError } from '../bankid/errors.ts';
import { userMessage } from '../bankid/messages.ts';
import { qrData, qrTime } from '../bankid/qr.ts';
import { isTransient } from '../bankid/transient.ts';
import type { CollectResponse, CompletionData, Requirement, WebDeviceData } from '../bankid/types.ts';
import { BrokerError } from '../errors/catalogue.ts';
import { safeEqual } from '../security/safe-equal.ts';
import type { OrderRepository, OrderRow } from '../storage/orders.ts';
import type { BankIdConnections } from './connections.ts';

export type StartMethod = 'qr' | 'same_device';

export interface StartOrder {
  interactionId: string;
  clientId: string;
  startMethod: StartMethod;
  endUserIp: string;
  web: WebDeviceData;
  /** A digest of this browser's device cookie: status, return and finish must come from the same browser. */
  browserBinding: string;
  userVisibleData?: string;
  userVisibleDataFormat?: 'simpleMarkdownV1';
  requirement?: Requirement;
  /** Same-device only: the URL BankID opens when the app is done, given the order's nonce. */
  returnUrlFor?: (nonce: string) => string;
  /** The browser is on a phone or tablet: chooses the wording of BankID's message when the start fails. */
  mobile: boolean;
}

export type OrderState =
  | { state: 'pending'; orderId: string; startMethod: StartMethod; hintCode: string; qr?: string; autoStartToken?: string }
  | { state: 'failed'; orderId: string; startMethod: StartMethod; hintCode?: string; errorCode?: string }
  | { state: 'complete'; orderId: string; startMethod: StartMethod; orderRef: string; completion: CompletionData; subject: string; completedAt: Date };

export interface OrderFlowOptions {
  /** The BankID API per client (its tenant's certificate) and per certificate (an order's collects and cancel). */
  bankid: BankIdConnections;
  orders: OrderRepository;
  /** Maps a completed identification to the stable account id (`sub`). */
  accountIdFor: (completion: CompletionData) => string;
  logger: Logger;
  /** How often one order is collected at most (BANKID_COLLECT_INTERVAL_MS); also the collect lease. */
  collectIntervalMs: number;
  /** How long a page that said it left may take to poll again before its order is cancelled. Default 3 s. */
  leftGraceMs?: number;
}

/** errorCode of a call that got no answer at all (network, TLS, timeout). */
export const NO_ANSWER = 'transport';
/** Collects in a row without a usable answer before the order is given up. */
const COLLECT_FAILURE_LIMIT = 3;
/** A collect ends this long before its lease, so the next holder's collect never overlaps it (covers the poll's round trip). */
const LEASE_MARGIN_MS = 250;
/** The grace check runs this long after the grace, so the database clock has surely passed it. */
const GRACE_SLACK_MS = 250;
/** How long close() waits for background work. */
const CLOSE_WAIT_MS = 5000;

export class OrderFlow {
  readonly #o: OrderFlowOptions;
  readonly #leftGraceMs: number;
  readonly #running = new Set<Promise<void>>();
  readonly #graceTimers = new Set<NodeJS.Timeout>();

  constructor(options: OrderFlowOptions) {
    this.#o = options;
    this.#leftGraceMs = options.leftGraceMs ?? 3000;
  }

  async start(request: StartOrder): Promise<{ orderId: string }> {
    const nonce = request.startMethod === 'same_device' && request.returnUrlFor ? randomBytes(18).toString('base64url') : undefined;
    const { api, rpCertificate } = await this.#o.bankid.forClient(request.clientId);
    let response;
    try {
      response = await api.auth({
        endUserIp: request.endUserIp,
        requirement: request.requirement,
        userVisibleData: request.userVisibleData,
        userVisibleDataFormat: request.userVisibleData ? request.userVisibleDataFormat : undefined,
        returnUrl: nonce ? request.returnUrlFor!(nonce) : undefined,
        returnRisk: true,
        web: request.web,
      });
    } catch (err) {
      throw startError(err, request);
    }
    const orderId = randomUUID();
    try {
      await this.#o.orders.create({
        id: orderId,
        orderRef: response.orderRef,
        operation: 'auth',
        startMethod: request.startMethod,
        rpCertificate,
        clientId: request.clientId,
        interactionId: request.interactionId,
        browserBinding: request.browserBinding,
        returnNonce: nonce,
        qrStartToken: response.qrStartToken,
        qrStartSecret: response.qrStartSecret,
        autoStartToken: response.autoStartToken,
      });
    } catch (err) {
      // BankID has the order but we could not keep it: cancel it, or it blocks the person's BankID until it expires.
      this.#o.logger.error({ clientId: request.clientId, err: (err as Error).message }, 'bankid order could not be stored');
      await this.#cancelAtBankId(response.orderRef, rpCertificate);
      throw new BrokerError('internal', 'the started order could not be stored', { cause: err });
    }
    this.#o.logger.info({ orderId, clientId: request.clientId, startMethod: request.startMethod }, 'bankid order started');
    return { orderId };
  }

  /**
   * The current state of the interaction's latest order, if it belongs to this browser. One statement, and never
   * waits on BankID: when it is time to collect, the collect runs beside the poll and the next poll sees its result.
   */
  async status(interactionId: string, browserBinding: string): Promise<OrderState | undefined> {
    const row = await this.#o.orders.poll(interactionId, this.#o.collectIntervalMs);
    if (!row || !sameBinding(row.browser_binding, browserBinding)) return undefined;
    if (row.leased) this.#background('bankid collect', () => this.#collect(row));
    return this.#state(row, row.db_now);
  }

  /** Cancels the interaction's pending order at BankID (the person pressed cancel or started another order). */
  async cancelFor(interactionId: string, browserBinding: string): Promise<void> {
    const latest = await this.#o.orders.latestForInteraction(interactionId);
    if (latest && sameBinding(latest.browser_binding, browserBinding)) await this.#cancel(latest);
  }

  /**
   * The page's beacon as it goes away. A reload, a language switch or back/forward polls again at once and keeps the
   * order; without a poll within the grace it is cancelled (by this check, or by the janitor on any replica).
   */
  async leave(interactionId: string, browserBinding: string): Promise<void> {
    const latest = await this.#o.orders.latestForInteraction(interactionId);
    // Only QR pages send it; one that arrives after a switch to same-device speaks of the order that switch
    // cancelled, and a same-device page is left on purpose while the app is open.
    if (!latest || latest.start_method !== 'qr' || !sameBinding(latest.browser_binding, browserBinding)) return;
    await this.#o.orders.markLeft(latest.id);
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
    if (!ok) await this.#cancel(latest);
    return ok;
  }

  /** Cancels orders whose page went away; returns how many. */
  async cancelAbandoned(qrIdleS = 30, sameDeviceIdleS = 240): Promise<number> {
    const rows = await this.#o.orders.abandoned(qrIdleS, sameDeviceIdleS, this.#leftGraceMs / 1000);
    for (const row of rows) await this.#cancel(row);
    return rows.length;
  }

  /**
   * Before the database closes: drops pending grace checks (the janitor of any replica has them) and waits, bounded,
   * for running collects (each ends within its lease) and cancels.
   */
  async close(): Promise<void> {
    for (const timer of this.#graceTimers) clearTimeout(timer);
    this.#graceTimers.clear();
    await Promise.race([Promise.allSettled(this.#running), delay(CLOSE_WAIT_MS, undefined, { ref: false })]);
  }

  /** Work nobody awaits: its failure is logged, and close() waits for it. */
  #background(what: string, work: () => Promise<unknown>): void {
    const running: Promise<void> = work().then(
      () => undefined,
      (err: unknown) => { this.#o.logger.error({ err: (err as Error).message }, `${what} failed`); },
    ).finally(() => this.#running.delete(running));
    this.#running.add(running);
  }

  async #cancel(row: OrderRow): Promise<void> {
    if (row.status !== 'pending') return;
    // Recorded first and only if still pending: a concurrent collect that saw it complete wins.
    if (!(await this.#o.orders.update(row.id, { status: 'cancelled', hintCode: row.hint_code }))) return;
    await this.#cancelAtBankId(row.order_ref, row.rp_certificate, row.id);
  }

  /** With the certificate that started the order: BankID knows it by no other. */
  async #cancelAtBankId(orderRef: string, rpCertificate: string, orderId?: string): Promise<void> {
    try {
      await (await this.#o.bankid.forCertificate(rpCertificate)).cancel(orderRef);
    } catch (err) {
      // Already finished or unknown at BankID: nothing dangles, which is all cancel is for.
      this.#o.logger.warn({ orderId, err: (err as Error).message }, 'bankid cancel failed');
    }
  }

  async #collect(row: OrderRow): Promise<void> {
    const deadline = AbortSignal.timeout(this.#o.collectIntervalMs - LEASE_MARGIN_MS);
    let result: CollectResponse;
    try {
      result = await (await this.#o.bankid.forCertificate(row.rp_certificate)).collect(row.order_ref, { signal: deadline });
    } catch (err) {
      await this.#collectFailed(row, err, deadline.aborted);
      return;
    }
    if (result.status === 'pending') {
      const pickedUp = result.hintCode !== 'outstandingTransaction' && result.hintCode !== 'noClient';
      // Nothing new: the poll stays the only statement.
      if (result.hintCode === row.hint_code && row.collect_failures === 0 && (!pickedUp || row.picked_up_at !== null)) return;
      await this.#o.orders.update(row.id, { status: 'pending', hintCode: result.hintCode, pickedUp });
    } else if (result.status === 'failed') {
      this.#o.logger.info({ orderId: row.id, hintCode: result.hintCode }, 'bankid order failed');
      await this.#o.orders.update(row.id, { status: 'failed', hintCode: result.hintCode });
    } else {
      const subject = this.#o.accountIdFor(result.completionData);
      this.#o.logger.info({ orderId: row.id }, 'bankid order complete');
      await this.#o.orders.update(row.id, { status: 'complete', completion: result.completionData as unknown as Record<string, unknown>, subject, pickedUp: true });
    }
  }

  /** No answer in time or BankID's own trouble is tried again on the next poll, a few times; anything else ends the order. */
  async #collectFailed(row: OrderRow, err: unknown, timedOut: boolean): Promise<void> {
    const errorCode = err instanceof BankIdError ? err.errorCode : err instanceof BankIdTransportError || timedOut ? NO_ANSWER : 'internal';
    const log = { orderId: row.id, errorCode, err: (err as Error).message };
    if (timedOut || isTransient(err)) {
      const after = await this.#o.orders.recordCollectFailure(row.id, errorCode, COLLECT_FAILURE_LIMIT);
      if (after?.status !== 'failed') {
        this.#o.logger.warn({ ...log, failures: after?.collect_failures }, 'bankid collect failed; collecting again on the next poll');
        return;
      }
      this.#o.logger.error({ ...log, failures: after.collect_failures }, 'bankid collect kept failing; order given up');
    } else {
      this.#o.logger.error(log, 'bankid collect failed; order given up');
      if (!(await this.#o.orders.update(row.id, { status: 'failed', errorCode, hintCode: row.hint_code }))) return;
    }
    await this.#cancelAtBankId(row.order_ref, row.rp_certificate, row.id);
  }

  #state(row: OrderRow, dbNow?: Date): OrderState {
    const base = { orderId: row.id, startMethod: row.start_method as StartMethod };
    if (row.status === 'complete') {
      return { ...base, state: 'complete', orderRef: row.order_ref, completion: row.completion as unknown as CompletionData, subject: row.subject!, completedAt: row.completed_at! };
    }
    // An order we cancelled reads like BankID's own `cancelled`: "the action was cancelled, try again".
    if (row.status === 'cancelled') return { ...base, state: 'failed', hintCode: 'cancelled' };
    if (row.status === 'failed') return { ...base, state: 'failed', hintCode: row.hint_code ?? undefined, errorCode: row.error_code ?? undefined };
    const hintCode = row.hint_code ?? 'outstandingTransaction';
    // The QR is shown only until the app has picked the order up (BankID's own rule; a stale frame is useless).
    const showQr = row.start_method === 'qr' && hintCode === 'outstandingTransaction' && row.qr_start_token && row.qr_start_secret;
    return {
      ...base,
      state: 'pending',
      hintCode,
      qr: showQr ? qrData(row.qr_start_token!, row.qr_start_secret!, qrTime(row.created_at, dbNow ?? Date.now())) : undefined,
      autoStartToken: row.start_method === 'same_device' ? row.auto_start_token ?? undefined : undefined,
    };
  }
}

/** BankID's advice for a failed call; no answer at all is, to the person, BankID's technical trouble like a 500 (RFA5). */
export function errorMessage(errorCode: string, startMethod: StartMethod, mobile: boolean) {
  return userMessage({ errorCode: errorCode === NO_ANSWER ? 'internalError' : errorCode, startMethod, mobile });
}

/** Why an order did not start, with BankID's own advice to the person; our own bad request is not BankID's fault. */
function startError(err: unknown, request: StartOrder): BrokerError {
  if (err instanceof BankIdRequestError) return new BrokerError('request_invalid', err.message, { cause: err });
  const errorCode = err instanceof BankIdError ? err.errorCode : NO_ANSWER;
  const text = errorMessage(errorCode, request.startMethod, request.mobile);
  return new BrokerError('order_start_failed', `BankID order could not be started: ${errorCode}`, { cause: err, text });
}

function sameBinding(stored: string | null, presented: string): boolean {
  return stored !== null && safeEqual(stored, presented);
}
