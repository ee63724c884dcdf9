/** Certificates and a log collector for the BankID tests, all made at test time. */
import { Writable } from 'node:stream';
import {
  AlreadyInProgressError, BankIdInternalError, InvalidParametersError, MaintenanceError, MethodNotAllowedError, NotFoundError,
  RequestTimeoutError, UnauthorizedError, UnknownBankIdError, UnsupportedMediaTypeError, type BankIdError,
} from '../../src/bankid/errors.ts';
import { createLogger, type Logger } from '../../src/observability/logger.ts';
import { createCertificate, type CertificateSpec, type Issued } from '../../src/simulator/pki.ts';

export const DAY_MS = 24 * 60 * 60 * 1000;

/** What the broker passes from config/variables.ts, spelt out: the client has no defaults of its own. */
export const CLIENT_SETTINGS = { timeoutMs: 10_000, maintenanceRetries: 3 } as const;

export function createCa(cn: string): Issued {
  return createCertificate({ subject: { CN: cn, O: 'Brygga test' }, ca: true });
}

/** An RP ("FP") certificate shaped like BankID's test certificate. */
export function createRpCertificate(issuer: Issued, extra: Partial<CertificateSpec> = {}): Issued {
  return createCertificate({
    subject: { C: 'SE', O: 'Brygga AB', serialNumber: '5566304928', name: 'Brygga Åtkomst', CN: 'FP Brygga test' },
    issuer,
    extKeyUsage: ['clientAuth'],
    ...extra,
  });
}

export function createServerCertificate(issuer: Issued, names: { dnsNames?: string[]; ipAddresses?: string[] } = {}): Issued {
  const { dnsNames = ['localhost'], ipAddresses = ['127.0.0.1'] } = names;
  return createCertificate({ subject: { CN: dnsNames[0] ?? 'server' }, issuer, dnsNames, ipAddresses, extKeyUsage: ['serverAuth'] });
}

export interface CollectedLog {
  logger: Logger;
  /** Parsed JSON lines written so far. */
  lines(): Record<string, unknown>[];
}

export function collectLog(level = 'info'): CollectedLog {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  return {
    logger: createLogger({ level, format: 'json', destination }),
    lines: () => chunks.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** Every HTTP error of rp-api-v6.md §4 with the class it must become, plus a code BankID may add one day. */
export const ERROR_CASES: [status: number, errorCode: string, type: new (...args: never[]) => BankIdError][] = [
  [400, 'alreadyInProgress', AlreadyInProgressError],
  [400, 'invalidParameters', InvalidParametersError],
  [401, 'unauthorized', UnauthorizedError],
  [403, 'unauthorized', UnauthorizedError],
  [404, 'notFound', NotFoundError],
  [405, 'methodNotAllowed', MethodNotAllowedError],
  [408, 'requestTimeout', RequestTimeoutError],
  [415, 'unsupportedMediaType', UnsupportedMediaTypeError],
  [500, 'internalError', BankIdInternalError],
  [503, 'maintenance', MaintenanceError],
  [400, 'someFutureCode', UnknownBankIdError],
];
