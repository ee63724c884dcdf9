/**
 * The RP API v6.0 client over mutual TLS. Retry policy (rp-api-v6.md §4, §5):
 * - `maintenance` (503) is retried with backoff up to maintenanceRetries times, then thrown;
 * - every other HTTP error, `internalError` and `requestTimeout` included, is thrown at once;
 * - a failed connection of `collect` or `cancel` is replayed once, right away; an order-starting call only when it met
 *   a kept-alive connection the server had closed while idle, which BankID cannot have read (transport.ts): any
 *   other lost answer may hide an order BankID did create, and a replay would start a second one. Should BankID
 *   have read it after all, the second order is one nobody sees (its QR and start token go nowhere) and that expires,
 *   or, with a personal number, BankID's `alreadyInProgress`: the failure the call would have had anyway. Timeouts
 *   and oversized answers are never replayed;
 * - a call whose signal aborts stops where it is, rejects with BankIdAbortedError and is never retried.
 */
import { setTimeout as wait } from 'node:timers/promises';
import type { Logger } from '../observability/logger.ts';
import type { RpCertificate } from './certificate.ts';
import { normalizeBaseUrl } from './environments.ts';
import { BankIdAbortedError, MaintenanceError, httpErrorFrom } from './errors.ts';
import { encodeAuth, encodePayment, encodePhoneAuth, encodePhoneSign, encodeSign } from './requests.ts';
import { parseCollectResponse, parseOrderResponse, parsePhoneOrderResponse } from './responses.ts';
import { agentFor, postJson, type HttpResult } from './transport.ts';
import type {
  AuthRequest, BankIdApi, CallOptions, CollectResponse, OrderResponse, PaymentRequest, PhoneAuthRequest,
  PhoneOrderResponse, PhoneSignRequest, SignRequest,
} from './types.ts';

export interface BankIdClientOptions {
  /** From apiBaseUrl(); endpoint paths resolve below it. */
  baseUrl: string;
  certificate: RpCertificate;
  /** PEM of the one root CA trusted for the API's server certificate. */
  caPem: string;
  /** Per HTTP attempt (BANKID_TIMEOUT_MS). A whole call is bounded by the caller's signal. */
  timeoutMs: number;
  /** How often a `maintenance` answer is retried (BANKID_MAINTENANCE_RETRIES). */
  maintenanceRetries: number;
  /** Delay before the n-th retry (1-based). Default 1 s, 2 s, 3 s… */
  retryDelayMs?: (attempt: number) => number;
  /** Waits between retries; rejects when the signal aborts. Injectable so tests need no real time. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<unknown>;
  logger?: Logger;
  /** Told of every HTTP exchange (for metrics): the endpoint, `ok`, `http_<status>`, `transport` or `aborted`, and how long it took. */
  onCall?: (call: { endpoint: string; outcome: string; durationS: number }) => void;
  /** The W3C `traceparent` a call carries (of the request that caused it), asked per call; none when undefined. */
  traceparent?: () => string | undefined;
}

type Endpoint = 'auth' | 'sign' | 'payment' | 'phone/auth' | 'phone/sign' | 'collect' | 'cancel';

const REPLAYABLE: ReadonlySet<Endpoint> = new Set(['collect', 'cancel']);

const realSleep = (ms: number, signal?: AbortSignal) => wait(ms, undefined, { signal });

export class BankIdClient implements BankIdApi {
  readonly #baseUrl: string;
  readonly #certificate: RpCertificate;
  readonly #caPem: string;
  readonly #timeoutMs: number;
  readonly #maintenanceRetries: number;
  readonly #retryDelayMs: (attempt: number) => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<unknown>;
  readonly #logger: Logger | undefined;
  readonly #onCall: NonNullable<BankIdClientOptions['onCall']>;
  readonly #traceparent: BankIdClientOptions['traceparent'];

  constructor(options: BankIdClientOptions) {
    this.#baseUrl = normalizeBaseUrl(options.baseUrl);
    this.#certificate = options.certificate;
    this.#caPem = options.caPem;
    this.#timeoutMs = options.timeoutMs;
    this.#maintenanceRetries = options.maintenanceRetries;
    this.#retryDelayMs = options.retryDelayMs ?? ((attempt) => attempt * 1000);
    this.#sleep = options.sleep ?? realSleep;
    this.#logger = options.logger;
    this.#onCall = options.onCall ?? (() => {});
    this.#traceparent = options.traceparent;
  }

  async auth(request: AuthRequest, options?: CallOptions): Promise<OrderResponse> {
    return parseOrderResponse(await this.#call('auth', encodeAuth(request), options));
  }

  async sign(request: SignRequest, options?: CallOptions): Promise<OrderResponse> {
    return parseOrderResponse(await this.#call('sign', encodeSign(request), options));
  }

  async payment(request: PaymentRequest, options?: CallOptions): Promise<OrderResponse> {
    return parseOrderResponse(await this.#call('payment', encodePayment(request), options));
  }

  async phoneAuth(request: PhoneAuthRequest, options?: CallOptions): Promise<PhoneOrderResponse> {
    return parsePhoneOrderResponse(await this.#call('phone/auth', encodePhoneAuth(request), options));
  }

  async phoneSign(request: PhoneSignRequest, options?: CallOptions): Promise<PhoneOrderResponse> {
    return parsePhoneOrderResponse(await this.#call('phone/sign', encodePhoneSign(request), options));
  }

  async collect(orderRef: string, options?: CallOptions): Promise<CollectResponse> {
    return parseCollectResponse(await this.#call('collect', { orderRef }, options));
  }

  async cancel(orderRef: string, options?: CallOptions): Promise<void> {
    await this.#call('cancel', { orderRef }, options);
  }

  /** Resolves with a 2xx answer; anything else becomes its typed error, after the maintenance retries. */
  async #call(endpoint: Endpoint, body: object, options?: CallOptions): Promise<HttpResult> {
    const url = new URL(endpoint, this.#baseUrl);
    const signal = options?.signal;
    for (let retry = 0; ; retry++) {
      const result = await this.#send(endpoint, url, body, signal);
      if (result.status >= 200 && result.status < 300) return result;
      const error = httpErrorFrom(result.status, result.body);
      if (!(error instanceof MaintenanceError) || retry >= this.#maintenanceRetries) throw error;
      this.#logger?.warn({ endpoint, retry: retry + 1 }, 'bankid in maintenance, retrying');
      try {
        await this.#sleep(this.#retryDelayMs(retry + 1), signal);
      } catch (err) {
        throw signal?.aborted ? abortedError(endpoint, signal) : err;
      }
    }
  }

  /** One HTTP exchange, logged without its body: bodies carry personal numbers, tokens and secrets. */
  async #send(endpoint: Endpoint, url: URL, body: object, signal: AbortSignal | undefined): Promise<HttpResult> {
    if (signal?.aborted) throw abortedError(endpoint, signal);
    const started = performance.now();
    const durationMs = () => Math.round(performance.now() - started);
    const told = (outcome: string) => this.#onCall({ endpoint, outcome, durationS: (performance.now() - started) / 1000 });
    try {
      // Looked up per call: after releaseAgent() the next call opens a fresh pool.
      const agent = agentFor(this.#certificate, this.#caPem);
      const traceparent = this.#traceparent?.();
      const result = await postJson(url, body, {
        agent, timeoutMs: this.#timeoutMs, signal, headers: traceparent ? { traceparent } : undefined, replayable: REPLAYABLE.has(endpoint),
      });
      told(result.status >= 200 && result.status < 300 ? 'ok' : `http_${result.status}`);
      this.#logger?.debug({ endpoint, status: result.status, durationMs: durationMs() }, 'bankid call');
      return result;
    } catch (err) {
      told(signal?.aborted ? 'aborted' : 'transport');
      this.#logger?.debug({ endpoint, durationMs: durationMs(), err: (err as Error).message }, 'bankid call failed');
      throw err;
    }
  }
}

function abortedError(endpoint: Endpoint, signal: AbortSignal): BankIdAbortedError {
  return new BankIdAbortedError(`The call to ${endpoint} was aborted`, { cause: signal.reason });
}
