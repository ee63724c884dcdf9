/**
 * W3C trace context (https://www.w3.org/TR/trace-context/): the trace a request belongs to, taken from its
 * `traceparent` or begun here, kept for everything the request causes; a call out (to BankID) carries it on as a
 * `traceparent` of its own, so a tracing backend joins the broker's work to the caller's and to BankID's.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomHex } from '../security/random.ts';

export interface TraceContext {
  /** 32 lowercase hex digits, not all zero. */
  traceId: string;
  /** The trace flags, 2 hex digits (`01`: sampled). */
  flags: string;
}

// version-traceid-parentid-flags; an all-zero trace or parent id is invalid, and version ff is forbidden.
const TRACEPARENT = /^(?!ff)[0-9a-f]{2}-(?!0{32})([0-9a-f]{32})-(?!0{16})[0-9a-f]{16}-([0-9a-f]{2})(?:-.*)?$/;

/** The trace of a `traceparent` header; undefined when there is none or it is malformed. */
export function traceOf(traceparent: string | undefined): TraceContext | undefined {
  const match = TRACEPARENT.exec(traceparent?.trim() ?? '');
  return match ? { traceId: match[1]!, flags: match[2]! } : undefined;
}

/** A trace begun here: not sampled, since the broker records no spans of its own. */
export function newTrace(): TraceContext {
  return { traceId: randomHex(16), flags: '00' };
}

const current = new AsyncLocalStorage<TraceContext>();

/** Runs `work` (and everything it starts) within `trace`. */
export function withTrace<T>(trace: TraceContext, work: () => T): T {
  return current.run(trace, work);
}

/** A `traceparent` for a call out of the current trace (a new parent id per call); undefined outside any trace. */
export function outgoingTraceparent(): string | undefined {
  const trace = current.getStore();
  return trace && `00-${trace.traceId}-${randomHex(8)}-${trace.flags}`;
}
