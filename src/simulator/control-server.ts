/**
 * The control API and app page (plain HTTP on the control port). It plays the user's BankID app and
 * BankID's own operators: scan, open, confirm, approve, cancel, inject faults, refuse RP certificates. JSON in
 * and out; the app page's HTML forms post to the same routes and are redirected back (or to the order's
 * returnUrl). Whatever a client sends, a malformed request is a 4xx with a reason.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../observability/logger.ts';
import { newNonce } from '../http/csp.ts';
import { APP_ASSETS, appPageCsp, renderAppPage, isWebUrl } from './app-page.ts';
import { pickLanguage, type Language } from './app-texts.ts';
import { approveInput, faultInput, mrtdInput, openInput, parseInput, pickInput, rpStatusInput, scanInput } from './control-input.ts';
import { ControlError } from './errors.ts';
import type { Faults } from './faults.ts';
import { mediaType, readBody, requestTarget, sendJson } from './http.ts';
import { summarize, type OrderSummary } from './order-summary.ts';
import type { Order, OrderBook } from './orders.ts';
import type { RpRegistry } from './rp-registry.ts';
import { isObject } from './validation.ts';

const MAX_BODY_BYTES = 64 * 1024;

export interface ControlServerOptions {
  book: OrderBook;
  faults: Faults;
  registry: RpRegistry;
  logger?: Logger;
}

interface Call {
  body: Record<string, unknown>;
  /** The third path segment: the orderRef in `/sim/orders/{orderRef}/…`, the fingerprint in `/sim/rp-certificates/{…}`. */
  ref: string;
}

interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  path: RegExp;
  run(call: Call): object;
}

/** Routes that act on one order answer with its summary. */
function orderRoutes(book: OrderBook): Route[] {
  const order = (method: Route['method'], path: RegExp, act: (call: Call) => Order): Route => ({ method, path, run: (call) => summarize(book, act(call)) });
  return [
    order('GET', /^\/sim\/orders\/([^/]+)$/, ({ ref }) => book.get(ref)),
    order('POST', /^\/sim\/app\/scan$/, ({ body }) => {
      const input = parseInput(scanInput, body);
      return book.scan(input.qr, input.personalNumber);
    }),
    order('POST', /^\/sim\/app\/open$/, ({ body }) => {
      const input = parseInput(openInput, body);
      return book.open(input.autoStartToken, { holder: input.personalNumber, outdatedApp: input.outdatedApp });
    }),
    // The app page's "choose": the camera pointed at the frame the RP shows right now.
    order('POST', /^\/sim\/orders\/([^/]+)\/scan$/, ({ ref, body }) => {
      const qr = book.currentQr(book.get(ref));
      if (!qr) throw new ControlError('order is not waiting for a scan');
      return book.scan(qr, parseInput(pickInput, body).personalNumber);
    }),
    order('POST', /^\/sim\/orders\/([^/]+)\/approve$/, ({ ref, body }) => book.approve(ref, parseInput(approveInput, body))),
    order('POST', /^\/sim\/orders\/([^/]+)\/mrtd$/, ({ ref, body }) => book.mrtdStep(ref, parseInput(mrtdInput, body).passed)),
    order('POST', /^\/sim\/orders\/([^/]+)\/cancel$/, ({ ref }) => book.userCancel(ref)),
    order('POST', /^\/sim\/orders\/([^/]+)\/confirm-call$/, ({ ref }) => book.confirmCall(ref)),
    order('POST', /^\/sim\/orders\/([^/]+)\/decline-call$/, ({ ref }) => book.declineCall(ref)),
  ];
}

/** Faults to inject, each with its hit count; RP certificates BankID should not accept. */
function operatorRoutes(faults: Faults, registry: RpRegistry): Route[] {
  return [
    { method: 'GET', path: /^\/sim\/faults$/, run: () => ({ faults: faults.list() }) },
    { method: 'POST', path: /^\/sim\/faults$/, run: ({ body }) => faults.add(parseInput(faultInput, body)) },
    { method: 'DELETE', path: /^\/sim\/faults$/, run: () => { faults.clear(); return {}; } },
    { method: 'GET', path: /^\/sim\/rp-certificates$/, run: () => ({ certificates: registry.list() }) },
    { method: 'POST', path: /^\/sim\/rp-certificates\/([^/]+)$/, run: ({ ref, body }) => registry.set(ref, parseInput(rpStatusInput, body).status) },
    { method: 'DELETE', path: /^\/sim\/rp-certificates$/, run: () => { registry.clear(); return {}; } },
  ];
}

export function createControlServer(options: ControlServerOptions): Server {
  const table: Route[] = [
    { method: 'GET', path: /^\/sim\/orders$/, run: () => ({ orders: options.book.list().map((o) => summarize(options.book, o)) }) },
    ...orderRoutes(options.book),
    ...operatorRoutes(options.faults, options.registry),
  ];
  const server = createServer((req, res) => void handle(options, table, req, res));
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  return server;
}

async function handle(options: ControlServerOptions, table: Route[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = requestTarget(req);
  let lang = pickLanguage(undefined, req.headers['accept-language']);
  let form = false;
  try {
    if (!url) throw new ControlError('the request target must be a path');
    lang = pickLanguage(queryLanguage(url.searchParams), req.headers['accept-language']);
    const asset = APP_ASSETS.get(url.pathname);
    if (req.method === 'GET' && asset) return sendAsset(res, asset);
    if (req.method === 'GET' && url.pathname === '/') return sendPage(res, options.book, lang, 200);
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body.tooLarge) throw new ControlError('body too large', 413);
    const type = mediaType(req);
    form = type === 'application/x-www-form-urlencoded';
    if (!table.some((r) => r.path.test(url.pathname))) throw new ControlError('not found', 404);
    const route = table.find((r) => r.method === req.method && r.path.test(url.pathname));
    if (!route) throw new ControlError('method not allowed', 405);
    if (form) checkSameOrigin(req);
    const fields = form ? formFields(body.bytes) : jsonBody(type, body.bytes);
    const result = route.run({ body: fields, ref: pathRef(url.pathname) });
    if (!form) return sendJson(res, 200, result);
    const formLang = fields.lang === 'en' || fields.lang === 'sv' ? fields.lang : lang;
    res.writeHead(303, { location: redirectAfter(result, url.pathname, formLang) }).end();
  } catch (error) {
    if (req.socket.destroyed) return;
    if (!(error instanceof ControlError)) {
      options.logger?.error({ err: error, path: url?.pathname }, 'simulator control API failed');
      return sendJson(res, 500, { error: 'internal error' });
    }
    if (form) return sendPage(res, options.book, lang, error.status, error.message);
    sendJson(res, error.status, { error: error.message });
  }
}

/** Every parameter once at most: which of two values was meant is anybody's guess. */
function singleValued(params: URLSearchParams, what: string): Record<string, string> {
  const fields = new Map<string, string>();
  for (const [key, value] of params) {
    if (fields.has(key)) throw new ControlError(`${what} ${key} is given more than once`);
    fields.set(key, value);
  }
  return Object.fromEntries(fields);
}

/** `lang`, when given, must be a language the page speaks; nothing else in the query is read. */
function queryLanguage(params: URLSearchParams): string | undefined {
  const { lang } = singleValued(params, 'query parameter');
  if (lang !== undefined && lang !== 'sv' && lang !== 'en') throw new ControlError('lang must be sv or en');
  return lang;
}

/** An HTML form's fields; empty ones are left out, as if not sent. */
function formFields(bytes: Buffer): Record<string, string> {
  const fields = singleValued(new URLSearchParams(bytes.toString('utf8')), 'form field');
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== ''));
}

/** The third path segment, decoded. */
function pathRef(path: string): string {
  try {
    return decodeURIComponent(path.split('/')[3] ?? '');
  } catch {
    throw new ControlError('the path is not valid percent-encoding');
  }
}

function jsonBody(type: string, bytes: Buffer): Record<string, unknown> {
  if (bytes.length === 0) return {};
  if (type !== 'application/json') throw new ControlError('send application/json or a form', 415);
  try {
    const parsed: unknown = JSON.parse(bytes.toString('utf8'));
    if (isObject(parsed)) return parsed;
  } catch {
    // Reported below, like any other non-object body.
  }
  throw new ControlError('body is not a JSON object');
}

/** Browsers send Origin with form posts: refuse forms another site submits to this loopback port. */
function checkSameOrigin(req: IncomingMessage): void {
  const origin = req.headers.origin;
  if (origin && origin !== 'null' && origin !== `http://${req.headers.host}`) throw new ControlError('cross-site form post refused', 403);
}

/** A same-device order approved in the app returns the user to the RP's returnUrl, as the real app does. */
function redirectAfter(result: object, path: string, lang: Language): string {
  const order: Partial<OrderSummary> = result;
  const back = path.endsWith('/approve') && order.status === 'complete' && order.startMethod === 'app' && isWebUrl(order.returnUrl);
  return back ? order.returnUrl! : `/?lang=${lang}`;
}

function sendPage(res: ServerResponse, book: OrderBook, lang: Language, status: number, error?: string): void {
  const nonce = newNonce();
  const html = renderAppPage({ lang, orders: book.list().map((o) => summarize(book, o)), error, nonce });
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
    'content-language': lang,
    'content-security-policy': appPageCsp(nonce),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  res.end(html);
}

function sendAsset(res: ServerResponse, asset: { type: string; body: Buffer }): void {
  res.writeHead(200, { 'content-type': asset.type, 'content-length': asset.body.length, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
  res.end(asset.body);
}
