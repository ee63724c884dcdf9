/**
 * The simulated orders and their state machine (rp-api-v6.md §11). In memory and bounded: timeouts are
 * evaluated lazily against the injectable clock whenever an order is touched, and `sweep()` (run by a timer)
 * settles and purges the rest. The RP side throws RpApiError, the driver side (app, tests) ControlError.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { CollectResponse, CompletionData, FailedHintCode, Operation, PendingHintCode } from '../bankid/types.ts';
import { parseQr, qrAuthCode, qrData, qrTime } from '../bankid/qr.ts';
import type { Logger } from '../observability/logger.ts';
import { ControlError, RpApiError, invalidParameters } from './errors.ts';
import { DEFAULT_PERSON, personFor, type TestPerson } from './people.ts';
import type { OrderRequest } from './validation.ts';

export type Risk = 'low' | 'moderate' | 'high';
/** How the app got the order: scanned QR (other device), autostart (same device), or pushed for a phone call. */
export type StartMethod = 'qr' | 'app' | 'phone';

/** The RP as its client certificate identifies it. */
export interface RpIdentity {
  /** SHA-256 of the client certificate's DER, lower-case hex: orders are bound to it. */
  fingerprint: string;
  /** The certificate subject as BankID writes it into `srvInfo/name`. */
  name: string;
  /** The subject's `name` attribute, shown to the user. */
  displayName: string;
}

export type OrderState =
  | { status: 'pending'; hintCode: PendingHintCode }
  | { status: 'failed'; hintCode: FailedHintCode; at: number }
  | { status: 'complete'; completionData: CompletionData; at: number };

export interface Order {
  readonly orderRef: string;
  readonly operation: Operation;
  readonly rp: RpIdentity;
  readonly request: OrderRequest;
  readonly tokens?: { autoStartToken: string; qrStartToken: string; qrStartSecret: string };
  readonly createdAt: number;
  state: OrderState;
  startMethod?: StartMethod;
  /** Personal number of the app that picked the order up, once known. */
  holder?: string;
  /** Outcome of the MRTD step, once the user has done it. */
  mrtdPassed?: boolean;
  /** The RP has seen the final state; a further collect is refused. */
  collected: boolean;
  lastCollectAt?: number;
  /** How often the RP collected the order, and the shortest time between two of its collects. */
  collects: number;
  shortestCollectGapMs?: number;
}

export interface Approval {
  personalNumber?: string;
  givenName?: string;
  surname?: string;
  risk?: Risk;
  /** Result of the MRTD (ID document) step; true when not given. */
  mrtd?: boolean;
  /** Let BankID's risk engine block the order when the risk is high. */
  blockHighRisk?: boolean;
}

export interface CompletionInput {
  order: Order;
  person: TestPerson;
  risk?: Risk;
  mrtd?: boolean;
}

export interface OrderBookOptions {
  now: () => number;
  startTimeoutMs: number;
  ttlMs: number;
  autoApproveMs?: number;
  complete: (input: CompletionInput) => CompletionData;
  logger?: Logger;
}

/** How long the RP may still collect a finished order (rp-api-v6.md §5). */
const COLLECT_WINDOW_MS = { complete: 3 * 60_000, failed: 5 * 60_000 } as const;
/** A frame is accepted when its qrTime is within this many seconds of the order's age. */
const QR_TOLERANCE_S = 2;
const MAX_ORDERS = 100_000;

export class OrderBook {
  private readonly orders = new Map<string, Order>();
  private readonly byToken = new Map<string, Order>();
  private readonly options: OrderBookOptions;

  constructor(options: OrderBookOptions) {
    this.options = options;
  }

  // ---- RP API ----

  create(operation: Operation, rp: RpIdentity, request: OrderRequest): Order {
    const named = namedPerson(request);
    if (named) {
      const busy = this.pendingOf(named);
      // BankID aborts the new order and cancels the one in progress (rp-api-v6.md §4).
      for (const other of busy) this.fail(other, 'cancelled');
      if (busy.length) throw new RpApiError(400, 'alreadyInProgress', 'Order already in progress for pno');
    }
    if (this.orders.size >= MAX_ORDERS) this.sweep();
    if (this.orders.size >= MAX_ORDERS) throw new RpApiError(503, 'maintenance', 'The simulator holds too many orders');
    const order: Order = {
      orderRef: randomUUID(),
      operation,
      rp,
      request,
      tokens: isPhone(operation) ? undefined : { autoStartToken: randomUUID(), qrStartToken: randomUUID(), qrStartSecret: randomUUID() },
      createdAt: this.now(),
      state: { status: 'pending', hintCode: 'outstandingTransaction' },
      collected: false,
      collects: 0,
    };
    this.orders.set(order.orderRef, order);
    if (order.tokens) {
      this.byToken.set(order.tokens.autoStartToken, order);
      this.byToken.set(order.tokens.qrStartToken, order);
    }
    this.options.logger?.debug({ orderRef: order.orderRef, operation }, 'simulator order created');
    return order;
  }

  collect(orderRef: string, rp: RpIdentity): CollectResponse {
    const order = this.forRp(orderRef, rp);
    this.noteCollect(order);
    const { state } = order;
    if (state.status === 'pending') {
      this.afterPendingCollect(order);
      return { orderRef, status: 'pending', hintCode: state.hintCode };
    }
    if (order.collected) throw invalidParameters('Order already collected');
    order.collected = true;
    return state.status === 'complete'
      ? { orderRef, status: 'complete', completionData: state.completionData }
      : { orderRef, status: 'failed', hintCode: state.hintCode };
  }

  /** The RP gives up: the order is gone, so a later collect or cancel is `invalidParameters`. */
  cancel(orderRef: string, rp: RpIdentity): void {
    const order = this.forRp(orderRef, rp);
    if (order.collected) throw invalidParameters('Order already finished');
    this.remove(order);
  }

  // ---- the simulated app and test drivers ----

  /** The app scans a QR frame: the HMAC must be right and the frame fresh. */
  scan(qr: string, holder?: string): Order {
    const parsed = parseQr(qr);
    if (!parsed) throw new ControlError('not a BankID QR code');
    const order = this.startable(parsed.qrStartToken);
    const expected = Buffer.from(qrAuthCode(order.tokens!.qrStartSecret, parsed.qrTime));
    if (!timingSafeEqual(expected, Buffer.from(parsed.qrAuthCode))) throw new ControlError('bad code');
    const age = qrTime(order.createdAt, this.now());
    if (parsed.qrTime < age - QR_TOLERANCE_S) throw new ControlError('too old');
    if (parsed.qrTime > age + QR_TOLERANCE_S) throw new ControlError('not yet valid');
    this.pickUp(order, 'qr', holder);
    return order;
  }

  /** The frame an RP would show right now, while the order waits for a scan. */
  currentQr(order: Order): string | undefined {
    const waiting = order.state.status === 'pending' && order.state.hintCode === 'outstandingTransaction';
    if (!order.tokens || !waiting) return undefined;
    return qrData(order.tokens.qrStartToken, order.tokens.qrStartSecret, qrTime(order.createdAt, this.now()));
  }

  /**
   * Same-device start with the autostart token: `started` until the next collect, after which the app has
   * found the ID (userSign). An outdated app cannot honour a server-side returnUrl and fails the order.
   */
  open(autoStartToken: string, options: { holder?: string; outdatedApp?: boolean } = {}): Order {
    const order = this.startable(autoStartToken);
    order.startMethod = 'app';
    if (options.outdatedApp && order.request.returnUrl) {
      this.fail(order, 'notSupportedByUserApp');
      return order;
    }
    order.state = { status: 'pending', hintCode: 'started' };
    if (options.holder) this.claim(order, options.holder);
    return order;
  }

  confirmCall(orderRef: string): Order {
    const order = this.awaitingCall(orderRef);
    order.state = { status: 'pending', hintCode: 'userSign' };
    return order;
  }

  declineCall(orderRef: string): Order {
    const order = this.awaitingCall(orderRef);
    this.fail(order, 'userDeclinedCall');
    return order;
  }

  userCancel(orderRef: string): Order {
    const order = this.pendingForDriver(orderRef);
    this.fail(order, 'userCancel');
    return order;
  }

  /** The user scans their ID document; the result ends up in `completionData.stepUp.mrtd`. */
  mrtdStep(orderRef: string, passed: boolean): Order {
    const order = this.pendingForDriver(orderRef);
    if (order.state.status !== 'pending' || order.state.hintCode !== 'userMrtd') throw new ControlError('order is not waiting for the MRTD step');
    order.mrtdPassed = passed;
    order.state = { status: 'pending', hintCode: 'userSign' };
    return order;
  }

  /** The user identifies or signs; picks the order up (and does the MRTD step) first when nobody did. */
  approve(orderRef: string, approval: Approval = {}): Order {
    return this.approveOrder(this.pendingForDriver(orderRef), approval);
  }

  get(orderRef: string): Order {
    const order = this.lookup(orderRef);
    if (!order) throw new ControlError('unknown order', 404);
    return order;
  }

  /** Every order still held, oldest first. */
  list(): Order[] {
    this.sweep();
    return [...this.orders.values()];
  }

  /** Settles due timeouts and auto-approvals, and drops orders the RP can no longer collect. */
  sweep(): void {
    for (const orderRef of [...this.orders.keys()]) this.lookup(orderRef);
  }

  // ---- internals ----

  private now(): number {
    return this.options.now();
  }

  private lookup(orderRef: string): Order | undefined {
    const order = this.orders.get(orderRef);
    if (!order) return undefined;
    this.settle(order);
    const { state } = order;
    if (state.status !== 'pending' && this.now() - state.at > COLLECT_WINDOW_MS[state.status]) {
      this.remove(order);
      return undefined;
    }
    return order;
  }

  /** Applies whichever deadline passed first: auto-approval, startFailed or expiredTransaction. */
  private settle(order: Order): void {
    if (order.state.status !== 'pending') return;
    const { createdAt } = order;
    const deadlines: { at: number; fire: (at: number) => void }[] = [];
    if (this.options.autoApproveMs !== undefined) deadlines.push({ at: createdAt + this.options.autoApproveMs, fire: () => this.approveOrder(order, {}) });
    if (order.state.hintCode === 'outstandingTransaction') deadlines.push({ at: createdAt + this.options.startTimeoutMs, fire: (at) => this.fail(order, 'startFailed', at) });
    deadlines.push({ at: createdAt + this.options.ttlMs, fire: (at) => this.fail(order, 'expiredTransaction', at) });
    const due = deadlines.filter((d) => d.at <= this.now()).sort((a, b) => a.at - b.at)[0];
    due?.fire(due.at);
  }

  private approveOrder(order: Order, approval: Approval): Order {
    order.startMethod ??= isPhone(order.operation) ? 'phone' : 'qr';
    const required = namedPerson(order.request);
    const person = personFor(approval.personalNumber ?? order.holder ?? required ?? DEFAULT_PERSON.personalNumber, approval);
    // The simulator's stand-in for "this BankID may not complete the order" [U].
    if (required && required !== person.personalNumber) {
      this.fail(order, 'certificateErr');
      return order;
    }
    this.claim(order, person.personalNumber);
    const risk = approval.risk ?? 'low';
    if (risk === 'high' && approval.blockHighRisk) {
      this.fail(order, 'transactionRiskBlocked');
      return order;
    }
    const completionData = this.options.complete({
      order,
      person,
      risk: order.request.returnRisk ? risk : undefined,
      mrtd: order.request.requirement.mrtd ? (approval.mrtd ?? order.mrtdPassed ?? true) : undefined,
    });
    order.state = { status: 'complete', completionData, at: this.now() };
    this.options.logger?.debug({ orderRef: order.orderRef, status: 'complete' }, 'simulator order finished');
    return order;
  }

  private forRp(orderRef: string, rp: RpIdentity): Order {
    const order = this.lookup(orderRef);
    if (!order) throw invalidParameters('No such order');
    if (order.rp.fingerprint !== rp.fingerprint) throw invalidParameters('Order was created with another RP certificate');
    return order;
  }

  private noteCollect(order: Order): void {
    const now = this.now();
    if (order.lastCollectAt !== undefined) {
      const gap = now - order.lastCollectAt;
      if (gap < 1000) this.options.logger?.warn({ orderRef: order.orderRef }, 'collect polled more often than once per second');
      order.shortestCollectGapMs = Math.min(order.shortestCollectGapMs ?? gap, gap);
    }
    order.collects++;
    order.lastCollectAt = now;
  }

  /** What the app does between two polls: a launched app finds the ID; a phone order reaches the user. */
  private afterPendingCollect(order: Order): void {
    if (order.state.status !== 'pending') return;
    if (order.state.hintCode === 'started') order.state = { status: 'pending', hintCode: signingHint(order) };
    else if (isPhone(order.operation) && order.state.hintCode === 'outstandingTransaction') {
      order.startMethod = 'phone';
      order.state = { status: 'pending', hintCode: 'userCallConfirm' };
    }
  }

  private startable(token: string): Order {
    const known = this.byToken.get(token);
    const order = known && this.lookup(known.orderRef);
    if (!order || order.state.status !== 'pending') throw new ControlError('unknown order');
    if (order.state.hintCode !== 'outstandingTransaction') throw new ControlError('already started');
    return order;
  }

  private pendingForDriver(orderRef: string): Order {
    const order = this.get(orderRef);
    if (order.state.status !== 'pending') throw new ControlError(`order is ${order.state.status}`);
    return order;
  }

  private awaitingCall(orderRef: string): Order {
    const order = this.pendingForDriver(orderRef);
    const hint = order.state.status === 'pending' ? order.state.hintCode : undefined;
    if (!isPhone(order.operation) || (hint !== 'outstandingTransaction' && hint !== 'userCallConfirm')) {
      throw new ControlError('not a phone order waiting for the call to be confirmed');
    }
    order.startMethod = 'phone';
    return order;
  }

  private pickUp(order: Order, method: StartMethod, holder?: string): void {
    order.startMethod = method;
    order.state = { status: 'pending', hintCode: signingHint(order) };
    if (holder) this.claim(order, holder);
  }

  /** A person's app takes an order: any other order pending for that person is cancelled. */
  private claim(order: Order, personalNumber: string): void {
    order.holder = personalNumber;
    for (const other of this.pendingOf(personalNumber)) if (other !== order) this.fail(other, 'cancelled');
  }

  private pendingOf(personalNumber: string): Order[] {
    return [...this.orders.values()].filter((o) => {
      if (o.state.status !== 'pending') return false;
      return (o.holder ?? namedPerson(o.request)) === personalNumber;
    });
  }

  private fail(order: Order, hintCode: FailedHintCode, at = this.now()): void {
    order.state = { status: 'failed', hintCode, at };
    this.options.logger?.debug({ orderRef: order.orderRef, status: 'failed', hintCode }, 'simulator order finished');
  }

  private remove(order: Order): void {
    this.orders.delete(order.orderRef);
    if (order.tokens) {
      this.byToken.delete(order.tokens.autoStartToken);
      this.byToken.delete(order.tokens.qrStartToken);
    }
  }
}

function isPhone(operation: Operation): boolean {
  return operation === 'phoneAuth' || operation === 'phoneSign';
}

/** The one person who may complete the order: `requirement.personalNumber`, or whom a phone order calls. */
function namedPerson(request: OrderRequest): string | undefined {
  return request.requirement.personalNumber ?? request.personalNumber;
}

function signingHint(order: Order): PendingHintCode {
  return order.request.requirement.mrtd ? 'userMrtd' : 'userSign';
}
