/**
 * The BankID order flow, independent of OIDC: start an order for a browser, report its state (collecting at most
 * once per interval per order across all replicas), cancel it, check the same-device return, and clean up orders
 * nobody watches any more. The interaction layer talks to BankID only through this class.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from '../observability/logger.ts';
import { BankIdError, BankIdRequestError, BankIdTransportError } from '../bankid/errors.ts';
import { userMessage } from '../bankid/messages.ts';
import { qrData, qrTime } from '../bankid/qr.ts';
import type { BankIdApi, CompletionData, Requirement, WebDeviceData } from '../bankid/types.ts';
import { BrokerError } from '../errors/catalogue.ts';
import { safeEqual } from '../security/safe-equal.ts';
import type { OrderRepository, OrderRow } from '../storage/orders.ts';

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
  api: BankIdApi;
  orders: OrderRepository;
  /** Fingerprint of the FP certificate the orders are made with (one per tenant later). */
  rpCertificate: string;
  /** Maps a completed identification to the stable account id (`sub`). */
  accountIdFor: (completion: CompletionData) => string;
  logger: Logger;
  /** How often one order is collected at most (BANKID_COLLECT_INTERVAL_MS). */
  collectIntervalMs: number;
}

export class OrderFlow {
  readonly #o: OrderFlowOptions;
  constructor(options: OrderFlowOptions) {
    this.#o = options;
  }

  async start(request: StartOrder): Promise<{ orderId: string }> {
    const nonce = request.startMethod === 'same_device' && request.returnUrlFor ? randomBytes(18).toString('base64url') : undefined;
    let response;
    try {
      response = await this.#o.api.auth({
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
    await this.#o.orders.create({
      id: orderId,
      orderRef: response.orderRef,
      operation: 'auth',
      startMethod: request.startMethod,
      rpCertificate: this.#o.rpCertificate,
      clientId: request.clientId,
      interactionId: request.interactionId,
      browserBinding: request.browserBinding,
      returnNonce: nonce,
      qrStartToken: response.qrStartToken,
      qrStartSecret: response.qrStartSecret,
      autoStartToken: response.autoStartToken,
    });
    this.#o.logger.info({ orderId, clientId: request.clientId, startMethod: request.startMethod }, 'bankid order started');
    return { orderId };
  }

  /** The current state of the interaction's latest order, if it belongs to this browser. Cheap: one query unless it is time to collect. */
  async status(interactionId: string, browserBinding: string): Promise<OrderState | undefined> {
    const row = await this.#o.orders.poll(interactionId, this.#o.collectIntervalMs);
    if (!row || !sameBinding(row.browser_binding, browserBinding)) return undefined;
    return this.#state(row.leased ? await this.#collect(row) : row, row.db_now);
  }

  /** Cancels the interaction's pending order at BankID (the person pressed cancel, retried, or left the page). */
  async cancelFor(interactionId: string, browserBinding: string): Promise<void> {
    const latest = await this.#o.orders.latestForInteraction(interactionId);
    if (latest && sameBinding(latest.browser_binding, browserBinding)) await this.#cancel(latest);
  }

  /** The same-device return: right nonce, same browser, same interaction — otherwise the attempt ends. */
  async verifyReturn(interactionId: string, nonce: string, browserBinding: string): Promise<boolean> {
    const latest = await this.#o.orders.latestForInteraction(interactionId);
    const ok = Boolean(latest?.return_nonce && safeEqual(latest.return_nonce, nonce) && sameBinding(latest.browser_binding, browserBinding));
    if (!ok && latest) await this.#cancel(latest);
    return ok;
  }

  /** Cancels orders whose page went away; returns how many. */
  async cancelAbandoned(qrIdleS = 30, sameDeviceIdleS = 240): Promise<number> {
    const rows = await this.#o.orders.abandoned(qrIdleS, sameDeviceIdleS);
    for (const row of rows) await this.#cancel(row);
    return rows.length;
  }

  async #cancel(row: OrderRow): Promise<void> {
    if (row.status !== 'pending') return;
    // Recorded first and only if still pending: a concurrent collect that saw it complete wins.
    if (!(await this.#o.orders.update(row.id, { status: 'cancelled', hintCode: row.hint_code }))) return;
    try {
      await this.#o.api.cancel(row.order_ref);
    } catch (err) {
      // Already finished or unknown at BankID: nothing dangles, which is all cancel is for.
      this.#o.logger.warn({ orderId: row.id, err: (err as Error).message }, 'bankid cancel failed');
    }
  }

  async #collect(row: OrderRow): Promise<OrderRow> {
    try {
      const result = await this.#o.api.collect(row.order_ref);
      if (result.status === 'pending') {
        return (await this.#o.orders.update(row.id, { status: 'pending', hintCode: result.hintCode, pickedUp: result.hintCode !== 'outstandingTransaction' && result.hintCode !== 'noClient' })) ?? row;
      }
      if (result.status === 'failed') {
        this.#o.logger.info({ orderId: row.id, hintCode: result.hintCode }, 'bankid order failed');
        return (await this.#o.orders.update(row.id, { status: 'failed', hintCode: result.hintCode })) ?? row;
      }
      const subject = this.#o.accountIdFor(result.completionData);
      this.#o.logger.info({ orderId: row.id }, 'bankid order complete');
      return (await this.#o.orders.update(row.id, { status: 'complete', completion: result.completionData as unknown as Record<string, unknown>, subject, pickedUp: true })) ?? row;
    } catch (err) {
      if (err instanceof BankIdTransportError) {
        // The order may be fine; the next poll collects again once the lease has passed.
        this.#o.logger.warn({ orderId: row.id, err: err.message }, 'bankid collect unreachable');
        return row;
      }
      const errorCode = err instanceof BankIdError ? err.errorCode : 'internal';
      this.#o.logger.error({ orderId: row.id, errorCode, err: (err as Error).message }, 'bankid collect failed');
      return (await this.#o.orders.update(row.id, { status: 'failed', errorCode, hintCode: row.hint_code })) ?? row;
    }
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

/** Why an order did not start, with BankID's own advice to the person; our own bad request is not BankID's fault. */
function startError(err: unknown, request: StartOrder): BrokerError {
  if (err instanceof BankIdRequestError) return new BrokerError('request_invalid', err.message, { cause: err });
  const errorCode = err instanceof BankIdError ? err.errorCode : 'transport';
  const text = userMessage({ errorCode, startMethod: request.startMethod, mobile: request.mobile });
  return new BrokerError('order_start_failed', `BankID order could not be started: ${errorCode}`, { cause: err, text });
}

function sameBinding(stored: string | null, presented: string): boolean {
  return stored !== null && safeEqual(stored, presented);
}
