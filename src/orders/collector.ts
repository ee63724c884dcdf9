/**
 * The collector: one per process, independent of how many pages watch. A loop claims the pending orders that are
 * due (nobody collected them within the interval, on any replica) in batches through the Postgres lease, one
 * statement for many, and collects them at BankID with bounded concurrency over the kept-alive mTLS connections.
 * Only what changed is written; the write notifies every replica's streams (migration 0009).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { BankIdError, BankIdTransportError } from '../bankid/errors.ts';
import { isTransient } from '../bankid/transient.ts';
import type { CollectResponse, CompletionData, Operation } from '../bankid/types.ts';
import type { CompletionVerifier } from '../bankid/verification/index.ts';
import type { DomainEvents } from '../events/emitter.ts';
import type { Logger } from '../observability/logger.ts';
import { ledgerEntryOf } from '../storage/ledger.ts';
import type { FinishedOrder, OrderRepository, OrderRow } from '../storage/orders.ts';
import { cancelAtBankId } from './cancel-at-bankid.ts';
import { orderEvent } from './order-event.ts';
import type { BankIdConnections } from './connections.ts';
import { NO_ANSWER, UNVERIFIED } from './flow.ts';

export interface CollectorOptions {
  /** Each order is collected through the certificate that started it. */
  bankid: Pick<BankIdConnections, 'forCertificate'>;
  orders: OrderRepository;
  /** Maps a completed identification to the stable account id (`sub`). */
  accountIdFor: (completion: CompletionData) => string;
  /** The ledger's keyed hash of the person (counts unique persons; never the personal number itself). */
  personKeyFor: (completion: CompletionData) => string;
  /** Checks every completion (signature, chain, OCSP, what was sent) before it is recorded as complete. */
  verifier: Pick<CompletionVerifier, 'verify'>;
  logger: Logger;
  events: DomainEvents;
  /** How often one order is collected at most (BANKID_COLLECT_INTERVAL_MS). */
  intervalMs: number;
  /** Collects in flight at most (BANKID_COLLECT_CONCURRENCY); 0: this process does not collect. */
  concurrency: number;
  /** How often the loop looks for due orders when it has nothing to do. Default 250 ms. */
  tickMs?: number;
  /** Collects in a row that ran out of their lease before the order is given up. Default UNANSWERED_COLLECT_LIMIT. */
  unansweredLimit?: number;
}

/** The stored operation as the BankID layer names it. */
const OPERATIONS: Record<OrderRow['operation'], Operation> = { auth: 'auth', sign: 'sign', payment: 'payment', phone_auth: 'phoneAuth', phone_sign: 'phoneSign' };

/** Collects in a row that BankID answered with trouble (or that could not reach it) before the order is given up. */
const COLLECT_FAILURE_LIMIT = 3;
/**
 * Collects in a row that ran out of their lease unanswered before the order is given up: about 30 s at BankID's 2 s.
 * A crowd that slows this process (or BankID) past a lease for a while must not fail the people waiting after three
 * tries; an unreachable BankID fails each call at once and counts against COLLECT_FAILURE_LIMIT.
 */
const UNANSWERED_COLLECT_LIMIT = 15;
/** A collect ends this long before its lease, so the next holder's collect never overlaps it. */
const LEASE_MARGIN_MS = 250;
/**
 * The lease outlasts the interval by this much: BankID counts from when a call arrives, which is after the claim by
 * however long the claim's answer and the batch's other calls take, more for one claim than for the next.
 */
const ARRIVAL_SLACK_MS = 200;
/** How long close() waits for running collects (each ends within its lease anyway). */
const CLOSE_WAIT_MS = 5000;

export class Collector {
  readonly #o: CollectorOptions;
  readonly #tickMs: number;
  readonly #running = new Set<Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #loop: Promise<void> | undefined;
  /** Resolves the loop's wait for free slots. */
  #slotsFree: (() => void) | undefined;
  #closed = false;

  constructor(options: CollectorOptions) {
    this.#o = options;
    this.#tickMs = options.tickMs ?? 250;
  }

  /** Starts the loop (not when the concurrency is 0). */
  start(): void {
    if (this.#o.concurrency > 0 && !this.#closed) this.#schedule(0);
  }

  /** Claims the orders due now, collects them and waits for the collects: one round of the loop (tests, tools). */
  async collectDue(): Promise<number> {
    const started = await this.#claim(Math.max(this.#o.concurrency, 1));
    await Promise.allSettled(started);
    return started.length;
  }

  /** Stops the loop and waits, bounded, for the collects in flight. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#slotsFree?.();
    await this.#loop;
    await Promise.race([Promise.allSettled(this.#running), delay(CLOSE_WAIT_MS, undefined, { ref: false })]);
  }

  #schedule(ms: number): void {
    this.#timer = setTimeout(() => { this.#loop = this.#round(); }, ms);
    this.#timer.unref();
  }

  async #round(): Promise<void> {
    const free = this.#o.concurrency - this.#running.size;
    let claimed = 0;
    try {
      claimed = (await this.#claim(free)).length;
    } catch (err) {
      this.#o.logger.error({ err: (err as Error).message }, 'claiming due bankid orders failed');
    }
    if (this.#closed) return;
    if (claimed > 0 && claimed === free) {
      // A full batch: more may be due. Claim again as soon as half the slots are free, not after a tick.
      await new Promise<void>((resolve) => {
        this.#slotsFree = resolve;
        this.#wakeIfFree();
      });
      this.#slotsFree = undefined;
      if (!this.#closed) this.#schedule(0);
    } else {
      this.#schedule(this.#tickMs);
    }
  }

  #wakeIfFree(): void {
    if (this.#slotsFree && this.#running.size <= this.#o.concurrency / 2) this.#slotsFree();
  }

  /** Claims up to `limit` due orders and starts collecting each at once, so a collect starts right after its claim. */
  async #claim(limit: number): Promise<Promise<void>[]> {
    if (limit <= 0) return [];
    // The lease begins after this moment, so a deadline counted from it ends before the lease does.
    const deadline = AbortSignal.timeout(this.#o.intervalMs - LEASE_MARGIN_MS);
    const rows = await this.#o.orders.claimDue(limit, this.#o.intervalMs + ARRIVAL_SLACK_MS);
    return rows.map((row) => {
      const running: Promise<void> = this.#collect(row, deadline).catch((err: unknown) => {
        this.#o.logger.error({ orderId: row.id, err: (err as Error).message }, 'bankid collect failed');
      }).finally(() => {
        this.#running.delete(running);
        this.#wakeIfFree();
      });
      this.#running.add(running);
      return running;
    });
  }

  async #collect(row: OrderRow, deadline: AbortSignal): Promise<void> {
    let result: CollectResponse;
    try {
      result = await (await this.#o.bankid.forCertificate(row.rp_certificate)).collect(row.order_ref, { signal: deadline });
    } catch (err) {
      await this.#collectFailed(row, err, deadline.aborted);
      return;
    }
    if (result.status === 'pending') {
      const pickedUp = result.hintCode !== 'outstandingTransaction' && result.hintCode !== 'noClient';
      // Nothing new: nothing written.
      if (result.hintCode === row.hint_code && row.collect_failures === 0 && (!pickedUp || row.picked_up_at !== null)) return;
      if (await this.#o.orders.update(row.id, { status: 'pending', hintCode: result.hintCode, pickedUp }) && result.hintCode !== row.hint_code) {
        this.#o.events.emit('order.collected', { ...orderEvent(row), hintCode: result.hintCode });
      }
    } else if (result.status === 'failed') {
      const finished = await this.#o.orders.update(row.id, { status: 'failed', hintCode: result.hintCode });
      if (finished) this.#failed(finished, result.hintCode);
    } else {
      const completion = result.completionData;
      if (!(await this.#verified(row, completion))) return;
      const subject = this.#o.accountIdFor(completion);
      const update = { status: 'complete', completion: completion as unknown as Record<string, unknown>, subject, personKey: this.#o.personKeyFor(completion), pickedUp: true } as const;
      const finished = await this.#o.orders.update(row.id, update);
      if (finished) this.#o.events.emit('order.completed', { ...orderEvent(finished), subject });
    }
  }

  /**
   * A completion that fails verification is never recorded: the order fails, and the log and the event name the
   * failed checks (never the person). BankID's order is over either way, so nothing is cancelled there.
   */
  async #verified(row: OrderRow, completion: CompletionData): Promise<boolean> {
    const verdict = await this.#o.verifier.verify(completion, { operation: OPERATIONS[row.operation], sentDataDigest: row.sent_data_digest ?? '' });
    if (verdict.ok) return true;
    const reasons = verdict.checks.filter((c) => c.outcome === 'failed').map((c) => `${c.check}: ${'reason' in c ? c.reason : ''}`);
    this.#o.logger.error({ orderId: row.id, failedChecks: verdict.failed, reasons }, 'bankid completion failed verification; order failed');
    const finished = await this.#o.orders.update(row.id, { status: 'failed', errorCode: UNVERIFIED, hintCode: null, pickedUp: true });
    if (finished) this.#o.events.emit('order.failed', { ...orderEvent(finished), errorCode: UNVERIFIED, failedChecks: verdict.failed });
    return false;
  }

  /** No answer in time or BankID's own trouble is tried again after the interval, a few times; anything else ends the order. */
  async #collectFailed(row: OrderRow, err: unknown, timedOut: boolean): Promise<void> {
    const errorCode = err instanceof BankIdError ? err.errorCode : err instanceof BankIdTransportError || timedOut ? NO_ANSWER : 'internal';
    const log = { orderId: row.id, errorCode, err: (err as Error).message };
    let finished;
    if (timedOut || isTransient(err)) {
      const limit = timedOut ? this.#o.unansweredLimit ?? UNANSWERED_COLLECT_LIMIT : COLLECT_FAILURE_LIMIT;
      finished = await this.#o.orders.recordCollectFailure(row.id, errorCode, limit);
      if (finished?.status !== 'failed') {
        this.#o.logger.warn({ ...log, failures: finished?.collect_failures }, 'bankid collect failed; collecting again after the interval');
        return;
      }
      this.#o.logger.error({ ...log, failures: finished.collect_failures }, 'bankid collect kept failing; order given up');
    } else {
      this.#o.logger.error(log, 'bankid collect failed; order given up');
      finished = await this.#o.orders.update(row.id, { status: 'failed', errorCode, hintCode: row.hint_code });
      if (!finished) return;
    }
    this.#o.events.emit('order.failed', { ...orderEvent(finished), errorCode });
    await cancelAtBankId(this.#o.bankid, this.#o.logger, { orderRef: row.order_ref, rpCertificate: row.rp_certificate, orderId: row.id });
  }

  /** BankID's own end of an order, read as the ledger reads it: expired, cancelled in the app, or failed with its hint. */
  #failed(row: FinishedOrder, hintCode: string): void {
    const { outcome, cancelledBy } = ledgerEntryOf('failed', hintCode);
    const order = orderEvent(row);
    if (outcome === 'expired') this.#o.events.emit('order.expired', order);
    else if (cancelledBy) this.#o.events.emit('order.cancelled', { ...order, by: cancelledBy });
    else this.#o.events.emit('order.failed', { ...order, hintCode });
  }
}

