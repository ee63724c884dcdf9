/**
 * Typed errors of the BankID client. Three families, caught differently:
 * - BankIdError: BankID answered with an HTTP error (rp-api-v6.md §4); one subclass per errorCode.
 * - BankIdTransportError: no answer at all (network, TLS, timeout).
 * - BankIdRequestError / CertificateError: our side is wrong; nothing was sent.
 */
import type { ErrorCode, KnownErrorCode } from './types.ts';

export class BankIdError extends Error {
  readonly status: number;
  readonly errorCode: ErrorCode;
  readonly details: string;

  constructor(status: number, errorCode: ErrorCode, details: string) {
    super(`BankID answered ${status} ${errorCode}${details ? `: ${details}` : ''}`);
    this.name = new.target.name;
    this.status = status;
    this.errorCode = errorCode;
    this.details = details;
  }
}

type CodedErrorConstructor = new (status: number, details: string) => BankIdError;

export class AlreadyInProgressError extends BankIdError { constructor(status: number, details: string) { super(status, 'alreadyInProgress', details); } }
export class InvalidParametersError extends BankIdError { constructor(status: number, details: string) { super(status, 'invalidParameters', details); } }
export class UnauthorizedError extends BankIdError { constructor(status: number, details: string) { super(status, 'unauthorized', details); } }
export class NotFoundError extends BankIdError { constructor(status: number, details: string) { super(status, 'notFound', details); } }
export class MethodNotAllowedError extends BankIdError { constructor(status: number, details: string) { super(status, 'methodNotAllowed', details); } }
export class RequestTimeoutError extends BankIdError { constructor(status: number, details: string) { super(status, 'requestTimeout', details); } }
export class UnsupportedMediaTypeError extends BankIdError { constructor(status: number, details: string) { super(status, 'unsupportedMediaType', details); } }
export class BankIdInternalError extends BankIdError { constructor(status: number, details: string) { super(status, 'internalError', details); } }
export class MaintenanceError extends BankIdError { constructor(status: number, details: string) { super(status, 'maintenance', details); } }

/** A code BankID added after this client was written, or a body that is not BankID's error JSON. */
export class UnknownBankIdError extends BankIdError {}

/** errorCode of an UnknownBankIdError whose body carried none. */
export const NO_ERROR_CODE = 'unknown';

const BY_CODE: Record<KnownErrorCode, CodedErrorConstructor> = {
  alreadyInProgress: AlreadyInProgressError,
  invalidParameters: InvalidParametersError,
  unauthorized: UnauthorizedError,
  notFound: NotFoundError,
  methodNotAllowed: MethodNotAllowedError,
  requestTimeout: RequestTimeoutError,
  unsupportedMediaType: UnsupportedMediaTypeError,
  internalError: BankIdInternalError,
  maintenance: MaintenanceError,
};

function isKnownCode(code: string): code is KnownErrorCode {
  return Object.hasOwn(BY_CODE, code);
}

function parseBody(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** Maps an HTTP error answer (raw text or parsed JSON) to its typed error; never throws. */
export function bankIdErrorFrom(status: number, body: unknown): BankIdError {
  const parsed = parseBody(body);
  const fields = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  const errorCode = typeof fields.errorCode === 'string' && fields.errorCode ? fields.errorCode : undefined;
  // Without BankID's JSON (a proxy's HTML page, say) the start of the raw text is the best clue.
  const details = typeof fields.details === 'string' ? fields.details : typeof body === 'string' && !errorCode ? body.slice(0, 200) : '';
  if (errorCode && isKnownCode(errorCode)) return new BY_CODE[errorCode](status, details);
  return new UnknownBankIdError(status, errorCode ?? NO_ERROR_CODE, details);
}

/** No HTTP answer: connection refused or reset, TLS handshake refused, DNS failure. */
export class BankIdTransportError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** No answer within the client's timeout. BankID may still have received (and acted on) the request. */
export class BankIdTimeoutError extends BankIdTransportError {}

export type RequestProblem = 'missing' | 'too-short' | 'too-long' | 'format' | 'exclusive';

/** A request BankID would refuse with invalidParameters, caught before sending. */
export class BankIdRequestError extends Error {
  /** The offending field as a path, e.g. `web.userAgent` or `requirement.personalNumber`. */
  readonly field: string;
  readonly reason: RequestProblem;

  constructor(field: string, reason: RequestProblem, message: string) {
    super(`Invalid BankID request, ${field}: ${message}`);
    this.name = new.target.name;
    this.field = field;
    this.reason = reason;
  }
}

export type CertificateProblem =
  | 'unreadable' | 'wrong-passphrase' | 'no-key' | 'no-certificate' | 'key-mismatch' | 'expired' | 'not-yet-valid';

/** The relying-party certificate cannot be used; the message is written for the operator who configures it. */
export class CertificateError extends Error {
  readonly reason: CertificateProblem;

  constructor(reason: CertificateProblem, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.reason = reason;
  }
}
