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

/** Keys whose values never reach the log, wherever they appear (two levels deep, plus request headers). */
const SECRET_KEYS = [
  'authorization', 'cookie', 'set-cookie', 'password', 'passphrase', 'secret', 'client_secret', 'clientSecret',
  'token', 'access_token', 'id_token', 'refresh_token', 'code', 'code_verifier', 'qrStartSecret', 'autoStartToken',
  'signature', 'ocspResponse', 'privateKey', 'key',
];
const REDACT_PATHS = [
  ...SECRET_KEYS.flatMap((k) => [`["${k}"]`, `*["${k}"]`, `*.*["${k}"]`]),
  ...['authorization', 'cookie', 'set-cookie'].flatMap((h) => [`req.headers["${h}"]`, `res.headers["${h}"]`]),
];

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
  return pino({ level: options.level, redact: { paths: REDACT_PATHS, censor: '[REDACTED]' }, base: { service: 'brygga' } }, scrubbing);
}
