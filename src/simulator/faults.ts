/**
 * Injected RP API faults (like ActiveLogin's error decorator): the next N calls to an endpoint are delayed, then
 * answered with a BankID error, dropped, answered by "a proxy" without a body, or flooded with an oversized body.
 * Each fault counts its hits and the calls it is holding, so a test can see that it was reached; clearing the
 * faults lets held calls go on normally.
 */
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { RpApiError } from './errors.ts';

export const FAULT_ENDPOINTS = ['auth', 'sign', 'payment', 'phone/auth', 'phone/sign', 'collect', 'cancel', '*'] as const;
export type FaultEndpoint = (typeof FAULT_ENDPOINTS)[number];

/**
 * - error: `status` with BankID's `{errorCode, details}`;
 * - delay: only the delay, then the normal answer;
 * - drop: the connection is closed without an answer;
 * - bare: `status` with an empty body, as a proxy or load balancer answers;
 * - oversized: 200 with a body of `bytes` bytes, streamed without a length.
 */
export const FAULT_KINDS = ['error', 'delay', 'drop', 'bare', 'oversized'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultPlan {
  endpoint: FaultEndpoint;
  kind: FaultKind;
  status?: number;
  errorCode: string;
  details: string;
  bytes?: number;
  times: number;
  /** Waited before the fault's effect (every kind). */
  delayMs: number;
}

export interface Fault extends FaultPlan {
  id: number;
  /** Calls the fault has taken so far; it stops at `times`. */
  hits: number;
  /** Calls being delayed right now. */
  holding: number;
  /** Oversized: body bytes the server managed to hand to the connection before the client went away. */
  written: number;
}

/** Planned and spent faults kept for inspection; the oldest spent ones go first. */
const MAX_FAULTS = 100;
const CHUNK = Buffer.alloc(64 * 1024, 'x');

export class Faults {
  private faults: Fault[] = [];
  private nextId = 1;
  /** Aborted by clear(): calls still being delayed go on as if no fault had been planned. */
  private release = new AbortController();

  add(plan: FaultPlan): Fault {
    if (this.faults.length >= MAX_FAULTS) {
      const spent = this.faults.findIndex((f) => f.hits >= f.times);
      this.faults.splice(spent >= 0 ? spent : 0, 1);
    }
    const fault: Fault = { ...plan, id: this.nextId++, hits: 0, holding: 0, written: 0 };
    this.faults.push(fault);
    return { ...fault };
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  clear(): void {
    this.faults = [];
    this.release.abort();
    this.release = new AbortController();
  }

  /**
   * Plays the first unspent fault planned for this endpoint (or for every endpoint), if any.
   * Resolves true when the fault answered (or dropped) the call itself, false when the call goes on normally.
   * `closed` aborts when the client goes away, ending a delay early.
   */
  async apply(endpoint: string, req: IncomingMessage, res: ServerResponse, closed: AbortSignal): Promise<boolean> {
    const fault = this.faults.find((f) => f.hits < f.times && (f.endpoint === endpoint || f.endpoint === '*'));
    if (!fault) return false;
    fault.hits += 1;
    if (fault.delayMs > 0) {
      fault.holding += 1;
      try {
        await sleep(fault.delayMs, undefined, { signal: AbortSignal.any([closed, this.release.signal]) });
      } catch {
        // Gone: nobody to answer. Released: the fault no longer exists, so the call goes on normally.
        return closed.aborted;
      } finally {
        fault.holding -= 1;
      }
    }
    switch (fault.kind) {
      case 'delay':
        return false;
      case 'error':
        throw new RpApiError(fault.status!, fault.errorCode, fault.details);
      case 'drop':
        req.socket.destroy();
        return true;
      case 'bare':
        res.writeHead(fault.status!, { 'content-length': 0 }).end();
        return true;
      case 'oversized':
        await flood(res, fault, closed);
        return true;
    }
  }
}

/** Streams `bytes` bytes, honouring backpressure, until done or the client closes the connection. */
async function flood(res: ServerResponse, fault: Fault, closed: AbortSignal): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/json' });
  const chunks = Math.ceil(fault.bytes! / CHUNK.length);
  for (let i = 0; i < chunks && !closed.aborted; i++) {
    const chunk = i === chunks - 1 ? CHUNK.subarray(0, fault.bytes! - i * CHUNK.length) : CHUNK;
    const more = res.write(chunk);
    fault.written += chunk.length;
    if (!more) await once(res, 'drain', { signal: closed }).catch(() => undefined);
  }
  if (!closed.aborted) res.end();
}
