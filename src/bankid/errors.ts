/**
 * Typed errors of the BankID client. Four families, caught differently (isTransient() sorts them for a retry):
 * - BankIdError: BankID answered with an HTTP error (rp-api-v6.md §4); one subclass per errorCode.
 * - BankIdTransportError: no usable answer (connection, TLS, timeout, a proxy's 5xx, an oversized body).
 * - BankIdAbortedError: the caller gave up through its signal.
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

/** BankID's `{errorCode, details}` from an error answer; errorCode is absent when the body is not BankID's. */
function errorFields(body: unknown): { errorCode?: string; details: string } {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
  }
  const fields = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  const errorCode = typeof fields.errorCode === 'string' && fields.errorCode ? fields.errorCode : undefined;
  // Without BankID's JSON (a proxy's HTML page, say) the start of the raw text is the best clue.
  const details = typeof fields.details === 'string' ? fields.details : typeof body === 'string' && !errorCode ? body.slice(0, 200) : '';
  return { errorCode, details };
}

/** Maps an HTTP error answer (raw text or parsed JSON) to its typed error; never throws. */
export function bankIdErrorFrom(status: number, body: unknown): BankIdError {
  const { errorCode, details } = errorFields(body);
  if (errorCode && isKnownCode(errorCode)) return new BY_CODE[errorCode](status, details);
  return new UnknownBankIdError(status, errorCode ?? NO_ERROR_CODE, details);
}

/** No usable answer from BankID. BankID may still have received (and acted on) the request. */
export class BankIdTransportError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** No answer at all: connection refused, reset or dropped, TLS handshake refused, DNS failure. */
export class BankIdConnectionError extends BankIdTransportError {}

/** No answer within the client's timeout. */
export class BankIdTimeoutError extends BankIdTransportError {}

/** An answer larger than any BankID sends; refused unread and its connection closed. */
export class BankIdResponseTooLargeError extends BankIdTransportError {}

/** A 5xx without BankID's `{errorCode}` body: a proxy or load balancer answered, not BankID. */
export class BankIdGatewayError extends BankIdTransportError {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/**
 * Maps a non-2xx answer: BankID's error body makes a BankIdError; a 5xx without one came from something in
 * between and is a transport problem.
 */
export function httpErrorFrom(status: number, body: string): BankIdError | BankIdGatewayError {
  const { errorCode, details } = errorFields(body);
  if (status < 500 || errorCode) return bankIdErrorFrom(status, body);
  return new BankIdGatewayError(status, `BankID's address answered ${status} without an errorCode${details ? `: ${details}` : ''}`);
}

/** The caller aborted the call through its signal (a deadline, say); the abort reason is the cause. */
export class BankIdAbortedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export type RequestProblem = 'missing' | 'too-short' | 'too-long' | 'format' | 'exclusive';

/** A request BankID would refuse with invalidParameters, caught before sending. */
export class BankIdRequestError extends Error {
  /** The offending field as a path, e.g. `web.userAgent` or `requirement.personalNumber`. */
  readonly field: string;
  readonly reason: RequestProblem;
  /** What is wrong with the field, without its name. */
  readonly detail: string;

  constructor(field: string, reason: RequestProblem, message: string) {
    super(`Invalid BankID request, ${field}: ${message}`);
    this.name = new.target.name;
    this.field = field;
    this.reason = reason;
    this.detail = message;
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
