/**
 * Injected RP API faults (like ActiveLogin's error decorator): the next N calls to an endpoint answer with
 * a given error, or are delayed and then answered normally.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { RpApiError } from './errors.ts';

export const FAULT_ENDPOINTS = ['auth', 'sign', 'payment', 'phone/auth', 'phone/sign', 'collect', 'cancel', '*'] as const;
export type FaultEndpoint = (typeof FAULT_ENDPOINTS)[number];

export interface Fault {
  endpoint: FaultEndpoint;
  /** Answer with this HTTP status and `{errorCode, details}`; without it the call is only delayed. */
  status?: number;
  errorCode: string;
  details: string;
  times: number;
  delayMs: number;
}

const MAX_FAULTS = 100;

export class Faults {
  private planned: Fault[] = [];

  add(fault: Fault): void {
    if (this.planned.length >= MAX_FAULTS) this.planned.shift();
    this.planned.push({ ...fault });
  }

  clear(): void {
    this.planned = [];
  }

  /** Applies the first fault planned for this endpoint (or for every endpoint), using up one of its times. */
  async apply(endpoint: string): Promise<void> {
    const fault = this.planned.find((f) => f.endpoint === endpoint || f.endpoint === '*');
    if (!fault) return;
    fault.times -= 1;
    if (fault.times <= 0) this.planned = this.planned.filter((f) => f !== fault);
    if (fault.delayMs > 0) await sleep(fault.delayMs);
    if (fault.status !== undefined) throw new RpApiError(fault.status, fault.errorCode, fault.details);
  }
}
