/**
 * The open status streams of this process (GET /interaction/:uid/events, as a WebSocket or as Server-Sent Events)
 * and the one timer that drives them all.
 * Each tick sends a stream a fresh QR frame when its second has turned (computed here from the order's start token
 * and secret: no statement, no call to BankID), or a heartbeat comment when nothing else flowed for a while. A state
 * change arrives as a notification (from whichever replica's collector wrote it), saying what the order changed to:
 * the change goes out at once, no statement; what a notification cannot tell (after a lost one, say) is re-read, the
 * orders that need it together in one statement. Every few seconds one statement tells the database that the orders
 * of all open streams are still watched, so no janitor on any replica cancels them.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Locale } from '../i18n/texts.ts';
import type { Logger } from '../observability/logger.ts';
import { afterChange, type OrderFlow, type ShownState, type WatchedOrder } from '../orders/flow.ts';
import type { OrderChangeNotice } from '../storage/notifications.ts';
import { qrFrame, qrTimeAt, type QrSource } from '../orders/qr-source.ts';
import { orderJson } from './order-json.ts';

export interface StreamHubOptions {
  flow: Pick<OrderFlow, 'reread' | 'stillWatched'>;
  logger: Logger;
  /** Open streams at most (EVENT_STREAMS_MAX). */
  maxStreams: number;
  /** How often the timer looks at the streams. Default 250 ms: a frame goes out at most this long after its second began. */
  tickMs?: number;
  /** A comment after this long without a message keeps proxies from closing the stream. Default 15 s. */
  heartbeatMs?: number;
  /** How often the open streams' orders are marked as watched. Default 10 s (the janitor waits 30 s for a QR page). */
  livenessMs?: number;
}

/** Where a stream's messages go: an EventStreamResponse or a WebSocketConnection (http/). */
export interface StreamOut {
  /** One message: the order's status as JSON. */
  send(json: string): void;
  /** Nothing else went out for a while: keeps proxies from closing the connection. */
  ping(): void;
  /** After the final state, or `goingAway` when the process stops. */
  close(goingAway?: boolean): void;
  /** Bytes queued for a client that does not read. */
  readonly backlog: number;
  readonly ended: boolean;
  onClose(listener: () => void): void;
}

/** How a page reads its messages: in its language, with the wording for its device. */
export interface StreamView {
  mobile: boolean;
  locale: Locale;
}

interface Stream {
  out: StreamOut;
  orderId: string;
  view: StreamView;
  /** The state's JSON without its last `}`, so a frame only appends its QR string. */
  prefix: string;
  /** Identifies the state (without the QR frame): a change of it is sent at once. */
  key: string;
  /** What the stream last sent, for the next notified change. */
  state?: ShownState;
  qr?: QrSource;
  sentQrTime?: number;
  lastWriteAt: number;
}

/** A client that does not read: frames are skipped rather than queued without bound. */
const MAX_BUFFERED_BYTES = 16 * 1024;
const CLOSE_WAIT_MS = 2000;

export class StreamHub {
  readonly #o: StreamHubOptions;
  readonly #tickMs: number;
  readonly #heartbeatMs: number;
  readonly #livenessMs: number;
  readonly #byOrder = new Map<string, Set<Stream>>();
  #count = 0;
  #timer: NodeJS.Timeout | undefined;
  #lastLiveness = Date.now();
  /** Orders to re-read, gathered from notifications that arrive together. */
  readonly #changed = new Set<string>();
  #rereadScheduled = false;
  readonly #work = new Set<Promise<void>>();
  #closed = false;

  constructor(options: StreamHubOptions) {
    this.#o = options;
    this.#tickMs = options.tickMs ?? 250;
    this.#heartbeatMs = options.heartbeatMs ?? 15_000;
    this.#livenessMs = options.livenessMs ?? 10_000;
  }

  /** No room for another stream (the page polls instead). */
  get full(): boolean {
    return this.#closed || this.#count >= this.#o.maxStreams;
  }

  get size(): number {
    return this.#count;
  }

  /** A page follows this order over a stream of this process. */
  watching(orderId: string): boolean {
    return this.#byOrder.has(orderId);
  }

  /** Takes over an open stream: sends the order's state now, then frames and changes. */
  open(out: StreamOut, order: WatchedOrder, view: StreamView): void {
    const stream: Stream = { out, orderId: order.state.orderId, view, prefix: '', key: '', lastWriteAt: 0 };
    if (!this.#apply(stream, order)) return;
    let streams = this.#byOrder.get(stream.orderId);
    if (!streams) this.#byOrder.set(stream.orderId, (streams = new Set()));
    streams.add(stream);
    this.#count++;
    out.onClose(() => this.#remove(stream));
    this.#timer ??= setInterval(() => this.#tick(), this.#tickMs).unref();
  }

  /** A notification: the order changed (on any replica). Sent as it says; re-read when it does not say enough. */
  changed(notice: OrderChangeNotice): void {
    const first = this.#byOrder.get(notice.orderId)?.values().next().value;
    if (!first?.state) return;
    const order = notice.to && afterChange({ state: first.state, qr: first.qr }, notice.to);
    if (order) this.#applyAll(notice.orderId, order);
    else this.#rereadSoon(notice.orderId);
  }

  /** Re-read with the others that need it at the same moment. */
  #rereadSoon(orderId: string): void {
    if (!this.#byOrder.has(orderId)) return;
    this.#changed.add(orderId);
    if (this.#rereadScheduled) return;
    this.#rereadScheduled = true;
    setImmediate(() => {
      this.#rereadScheduled = false;
      const ids = [...this.#changed];
      this.#changed.clear();
      this.#track(this.#reread(ids));
    });
  }

  /** Notifications may have been lost (the listening connection was down): re-read every watched order. */
  rereadAll(): void {
    for (const orderId of this.#byOrder.keys()) this.#rereadSoon(orderId);
  }

  /** Marks the orders of all open streams as watched, in one statement, and catches any change a notification missed. */
  async keepAlive(): Promise<void> {
    this.#lastLiveness = Date.now();
    const ids = [...this.#byOrder.keys()];
    if (ids.length === 0) return;
    const pending = await this.#o.flow.stillWatched(ids);
    for (const id of ids) {
      const streams = this.#byOrder.get(id);
      const first = streams?.values().next().value;
      if (first && pending.get(id) !== first.key) this.#rereadSoon(id);
    }
  }

  /** Ends every stream (the page reconnects or polls elsewhere) and waits, bounded, for running re-reads. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    for (const streams of [...this.#byOrder.values()]) {
      for (const stream of streams) stream.out.close(true);
    }
    this.#byOrder.clear();
    this.#count = 0;
    await Promise.race([Promise.allSettled(this.#work), delay(CLOSE_WAIT_MS, undefined, { ref: false })]);
  }

  #tick(): void {
    const now = Date.now();
    for (const streams of this.#byOrder.values()) {
      for (const stream of streams) {
        if (stream.qr) {
          const time = qrTimeAt(stream.qr, now);
          if (time !== stream.sentQrTime) this.#sendFrame(stream, time, now);
        } else if (now - stream.lastWriteAt >= this.#heartbeatMs) {
          this.#ping(stream, now);
        }
      }
    }
    if (now - this.#lastLiveness >= this.#livenessMs) this.#track(this.keepAlive());
  }

  async #reread(ids: string[]): Promise<void> {
    const orders = await this.#o.flow.reread(ids);
    for (const id of ids) {
      const order = orders.get(id);
      if (order) this.#applyAll(id, order);
    }
  }

  #applyAll(orderId: string, order: WatchedOrder): void {
    for (const stream of [...this.#byOrder.get(orderId) ?? []]) {
      if (this.#apply(stream, order) === false) this.#remove(stream);
    }
  }

  /** Takes the order's state into the stream and sends it if it changed; false when it was the last message. */
  #apply(stream: Stream, order: WatchedOrder): boolean {
    const { state } = order;
    const key = state.state === 'pending' ? state.hintCode : state.state;
    if (key === stream.key && state.state === 'pending') return true;
    const json = orderJson({ ...state, ...(state.state === 'pending' ? { qr: undefined } : {}) }, stream.view.mobile, stream.view.locale);
    stream.key = key;
    stream.state = state;
    stream.prefix = JSON.stringify(json).slice(0, -1);
    stream.qr = order.qr;
    const now = Date.now();
    if (stream.qr) {
      this.#sendFrame(stream, qrTimeAt(stream.qr, now), now, true);
      return true;
    }
    this.#write(stream, `${stream.prefix}}`, now, true);
    if (state.state === 'pending') return true;
    stream.out.close();
    return false;
  }

  #sendFrame(stream: Stream, time: number, now: number, change = false): void {
    stream.sentQrTime = time;
    this.#write(stream, `${stream.prefix},"qr":"${qrFrame(stream.qr!, time)}"}`, now, change);
  }

  /** A frame or a heartbeat is dropped for a client that does not read; a change of state never is. */
  #write(stream: Stream, json: string, now: number, change = false): void {
    if (!this.#writable(stream, change)) return;
    stream.out.send(json);
    stream.lastWriteAt = now;
  }

  #ping(stream: Stream, now: number): void {
    if (!this.#writable(stream, false)) return;
    stream.out.ping();
    stream.lastWriteAt = now;
  }

  #writable(stream: Stream, change: boolean): boolean {
    return !stream.out.ended && (change || stream.out.backlog <= MAX_BUFFERED_BYTES);
  }

  #remove(stream: Stream): void {
    const streams = this.#byOrder.get(stream.orderId);
    if (!streams?.delete(stream)) return;
    this.#count--;
    if (streams.size === 0) this.#byOrder.delete(stream.orderId);
    if (this.#count === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  /** Background work: its failure is logged, and close() waits for it. */
  #track(work: Promise<void>): void {
    const running = work.catch((err: unknown) => {
      this.#o.logger.error({ err: (err as Error).message }, 'status streams: reading orders failed');
    }).finally(() => this.#work.delete(running));
    this.#work.add(running);
  }
}
