import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import type pretty from 'pino-pretty';

export type { Logger };

/**
 * A Swedish personal identity (or coordination) number: 12 digits, optionally YYYYMMDD-NNNN.
 * Not preceded by a hyphen so the last group of a UUID is left alone; 13-digit epoch millis do not match.
 */
const PERSONAL_NUMBER = /(?<![\w-])\d{8}-?\d{4}(?![\w-])/g;

export function scrubPersonalNumbers(text: string): string {
  return text.replace(PERSONAL_NUMBER, '[PNR]');
}

/** Keys whose values never reach the log, wherever they appear down to three levels (request headers included). */
const SECRET_KEYS = [
  'authorization', 'cookie', 'set-cookie', 'password', 'passphrase', 'secret', 'client_secret', 'clientSecret',
  'token', 'access_token', 'id_token', 'refresh_token', 'code', 'code_verifier', 'qrStartSecret', 'autoStartToken',
  'signature', 'ocspResponse', 'privateKey', 'key',
];
const SECRETS = new Set(SECRET_KEYS);
const CENSOR = '[REDACTED]';
/** Levels of keys looked at: a line's own, its objects', theirs (`req.headers.authorization`). */
const REDACT_DEPTH = 3;

/**
 * `value` with the values of secret keys censored, down to REDACT_DEPTH levels of keys. One walk over the keys a
 * line has (pino's path redaction tries every wildcard path on every line); only objects that change are copied.
 */
function redacted(value: unknown, depth = 0): unknown {
  if (depth === REDACT_DEPTH || value === null || typeof value !== 'object' || ArrayBuffer.isView(value) || value instanceof Date) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const before = (value as Record<string, unknown>)[key];
    const after = SECRETS.has(key) ? CENSOR : redacted(before, depth + 1);
    if (after !== before) (copy ??= copyOf(value))[key] = after;
  }
  return copy ?? value;
}

/** A plain copy to censor; an error keeps what pino's error serializer would have written of it. */
function copyOf(value: object): Record<string, unknown> {
  if (Array.isArray(value)) return value.slice() as unknown as Record<string, unknown>;
  if (value instanceof Error) return { ...value, type: value.name, message: value.message, stack: value.stack };
  return { ...value };
}

export interface LoggerOptions {
  level: string;
  format: 'json' | 'pretty';
  /** Where lines go; stdout by default. Tests pass a collecting stream. */
  destination?: NodeJS.WritableStream;
}

/** The one logger factory: field redaction by key, then personal numbers scrubbed from every line. */
export function createLogger(options: LoggerOptions): Logger {
  // Loaded only for the pretty format: production logs JSON and never needs it.
  const target = options.format === 'pretty'
    ? (createRequire(import.meta.url)('pino-pretty') as typeof pretty)({ destination: options.destination ?? process.stdout, colorize: false, singleLine: true, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })
    : (options.destination ?? process.stdout);
  const scrubbing = new Writable({
    write(chunk: Buffer, _enc, callback) {
      target.write(scrubPersonalNumbers(chunk.toString('utf8')));
      callback();
    },
  });
  // Child loggers' bindings are our own fixed fields (component, audit), never a secret: pino does not format them.
  const censor = (fields: Record<string, unknown>) => redacted(fields) as Record<string, unknown>;
  return pino({ level: options.level, formatters: { log: censor }, base: { service: 'brygga' } }, scrubbing);
}
