/**
 * The RP API over HTTPS with mutual TLS (rp-api-v6.md §1–§4): only clients with a certificate from the
 * simulator's RP CA complete the handshake, the registry may still refuse one, and each order is bound to the
 * certificate that created it.
 */
import { X509Certificate, createHash } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../observability/logger.ts';
import type { SimulatorCertificates } from './certs.ts';
import { RpApiError, invalidParameters } from './errors.ts';
import type { Faults } from './faults.ts';
import { readBody, requestTarget, sendJson } from './http.ts';
import type { OrderBook, RpIdentity } from './orders.ts';
import type { RpRegistry } from './rp-registry.ts';
import { OPERATION_OF, isObject, parseOrderRef, parseStartRequest, type StartEndpoint } from './validation.ts';

export const API_PREFIX = '/rp/v6.0/';
const MAX_BODY_BYTES = 1024 * 1024;
const START_ENDPOINTS: readonly string[] = Object.keys(OPERATION_OF);
const ENDPOINTS = new Set([...START_ENDPOINTS, 'collect', 'cancel']);
/** Attributes BankID writes in lower case in `srvInfo/name`; others (serialNumber, name) keep their case. */
const LOWER_CASE_ATTRIBUTES = new Set(['CN', 'O', 'OU', 'C', 'L', 'ST']);

export interface RpServerOptions {
  certs: SimulatorCertificates;
  book: OrderBook;
  faults: Faults;
  registry: RpRegistry;
  logger?: Logger;
}

export function createRpServer(options: RpServerOptions): Server {
  const { certs } = options;
  const server = createServer({
    key: certs.server.keyPem,
    cert: certs.server.certPem,
    ca: [certs.rpCa.certPem],
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
  }, (req, res) => void handle(options, req, res));
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  return server;
}

async function handle(options: RpServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = performance.now();
  const path = requestTarget(req)?.pathname;
  const closed = new AbortController();
  res.on('close', () => closed.abort());
  try {
    const body = await readBody(req, MAX_BODY_BYTES);
    const rp = rpIdentity(req.socket as TLSSocket);
    options.registry.check(rp.fingerprint);
    const endpoint = path?.startsWith(API_PREFIX) ? path.slice(API_PREFIX.length) : '';
    if (!ENDPOINTS.has(endpoint)) throw new RpApiError(404, 'notFound', `No endpoint ${path ?? req.url}`);
    if (req.method !== 'POST') throw new RpApiError(405, 'methodNotAllowed', 'Only POST is allowed');
    if (await options.faults.apply(endpoint, req, res, closed.signal)) return;
    // BankID refuses even `application/json; charset=utf-8` (rp-api-v6.md §1.2).
    if (req.headers['content-type'] !== 'application/json') throw new RpApiError(415, 'unsupportedMediaType', 'Content-Type must be application/json');
    if (body.tooLarge) throw invalidParameters('Request body too large');
    sendJson(res, 200, dispatch(options.book, endpoint, jsonObject(body.bytes), rp));
  } catch (error) {
    if (error instanceof RpApiError) {
      sendJson(res, error.status, error.body, error.status === 405 ? { allow: 'POST' } : {});
    } else if (!res.headersSent && !req.socket.destroyed) {
      options.logger?.error({ err: error, path }, 'simulator RP API failed');
      sendJson(res, 500, { errorCode: 'internalError', details: 'Internal error in the simulator' });
    }
  } finally {
    // A dropped call has no status.
    const status = res.headersSent ? res.statusCode : undefined;
    options.logger?.debug({ method: req.method, path, status, ms: Math.round(performance.now() - started) }, 'simulator RP API call');
  }
}

function dispatch(book: OrderBook, endpoint: string, body: Record<string, unknown>, rp: RpIdentity): object {
  if (endpoint === 'collect') return book.collect(parseOrderRef(body), rp);
  if (endpoint === 'cancel') {
    book.cancel(parseOrderRef(body), rp);
    return {};
  }
  const start = endpoint as StartEndpoint;
  const order = book.create(OPERATION_OF[start], rp, parseStartRequest(start, body));
  return order.tokens ? { orderRef: order.orderRef, ...order.tokens } : { orderRef: order.orderRef };
}

function jsonObject(bytes: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw invalidParameters('Body is not JSON');
  }
  if (!isObject(parsed)) throw invalidParameters('Body is not a JSON object');
  return parsed;
}

/**
 * The RP behind the client certificate. `name` is the subject in BankID's `srvInfo/name` form (most specific
 * attribute first, `cn`/`o`/`c` in lower case), `displayName` its `name` attribute.
 */
function rpIdentity(socket: TLSSocket): RpIdentity {
  const peer = socket.getPeerCertificate();
  const attributes = new X509Certificate(peer.raw).subject.split('\n').map((line) => {
    const at = line.indexOf('=');
    return { key: line.slice(0, at), value: line.slice(at + 1) };
  });
  return {
    fingerprint: createHash('sha256').update(peer.raw).digest('hex'),
    name: attributes.toReversed().map((a) => `${LOWER_CASE_ATTRIBUTES.has(a.key) ? a.key.toLowerCase() : a.key}=${a.value}`).join(','),
    displayName: attributes.find((a) => a.key === 'name')?.value ?? attributes.find((a) => a.key === 'CN')?.value ?? '',
  };
}
