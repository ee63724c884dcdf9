/**
 * A short id per request, shown on error pages ("Felkod: …") and written on the request's log lines, so a person's
 * report can be matched to the log. A proxy's `x-request-id` or the trace id of a W3C `traceparent` is kept. The
 * request runs within its trace (the caller's, or one begun here), which calls to BankID carry on.
 */
import type { Context, Middleware } from 'koa';
import { newTrace, traceOf, withTrace } from '../observability/trace.ts';
import { randomHex } from '../security/random.ts';

declare module 'koa' {
  interface DefaultState {
    /** Set for every request by `requestId`. */
    requestId?: string;
  }
}

// Only characters that are safe in a log line and on a page; longer ids are not short enough to read out.
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function requestIdFrom(headers: { requestId?: string; traceparent?: string }): string {
  const given = headers.requestId?.trim();
  if (given && REQUEST_ID.test(given)) return given;
  const trace = traceOf(headers.traceparent);
  if (trace) return trace.traceId;
  return randomHex(4);
}

export const requestId: Middleware = async (ctx: Context, next) => {
  const id = requestIdFrom({ requestId: ctx.get('x-request-id'), traceparent: ctx.get('traceparent') });
  ctx.state.requestId = id;
  ctx.set('x-request-id', id);
  await withTrace(traceOf(ctx.get('traceparent')) ?? newTrace(), next);
};
