/** The simulator's two error families: BankID's RP API errors, and refusals of the control API. */
import type { ErrorCode } from '../bankid/types.ts';

/** An RP API error: the HTTP status and the `{"errorCode","details"}` body BankID answers with (rp-api-v6.md §4). */
export class RpApiError extends Error {
  readonly status: number;
  readonly errorCode: ErrorCode;
  constructor(status: number, errorCode: ErrorCode, details: string) {
    super(details);
    this.name = 'RpApiError';
    this.status = status;
    this.errorCode = errorCode;
  }

  get body(): { errorCode: ErrorCode; details: string } {
    return { errorCode: this.errorCode, details: this.message };
  }
}

export function invalidParameters(details: string): RpApiError {
  return new RpApiError(400, 'invalidParameters', details);
}

/** The simulated app or a test driver asked for something the order does not allow; `reason` is sent back. */
export class ControlError extends Error {
  readonly status: number;
  constructor(reason: string, status = 400) {
    super(reason);
    this.name = 'ControlError';
    this.status = status;
  }
}
