/**
 * The simulated BankID app, served on the control port: lists the orders waiting for a user and drives them
 * through the same control routes a test uses. Server-rendered with eta (escaping by default); works
 * without JavaScript, and a small script refreshes the lists while nobody is typing.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import { TEXTS, type AppTexts, type Language } from './app-texts.ts';
import type { OrderSummary } from './order-summary.ts';
import { TEST_PEOPLE } from './people.ts';

const VIEWS = new URL('../../views/simulator/', import.meta.url);
const eta = new Eta({ views: fileURLToPath(VIEWS), autoEscape: true, cache: true });

/**
 * Style and script are files, not inline: the refresh parses a fresh copy of the page under this page's policy and
 * takes only the order lists from it. The script runs by a nonce new in every response (strict CSP, as the broker's
 * pages; 'self' only for browsers older than CSP 3).
 */
export const appPageCsp = (nonce: string) => `default-src 'none'; style-src 'self'; script-src 'nonce-${nonce}' 'strict-dynamic' 'self'; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'`;

export const APP_ASSETS: ReadonlyMap<string, { type: string; body: Buffer }> = new Map([
  ['/app.css', { type: 'text/css; charset=utf-8', body: readFileSync(new URL('app.css', VIEWS)) }],
  ['/app.js', { type: 'text/javascript; charset=utf-8', body: readFileSync(new URL('app.js', VIEWS)) }],
]);

export interface AppPageInput {
  lang: Language;
  /** Oldest first, as the control API lists them. */
  orders: OrderSummary[];
  error?: string;
  /** This response's script nonce. */
  nonce: string;
}

const FINISHED_SHOWN = 10;

export function renderAppPage(input: AppPageInput): string {
  const t = TEXTS[input.lang];
  const newestFirst = input.orders.toReversed();
  return eta.render('./app', {
    t,
    lang: input.lang,
    error: input.error,
    nonce: input.nonce,
    people: TEST_PEOPLE,
    pending: newestFirst.filter((o) => o.status === 'pending').map((o) => orderView(o, t)),
    finished: newestFirst.filter((o) => o.status !== 'pending').slice(0, FINISHED_SHOWN).map((o) => orderView(o, t)),
  });
}

function orderView(order: OrderSummary, t: AppTexts) {
  const hint = order.hintCode;
  const phone = order.operation === 'phoneAuth' || order.operation === 'phoneSign';
  return {
    ...order,
    statusText: t.status[hint ?? order.status] ?? hint ?? order.status,
    // simpleMarkdownV1 is shown as plain text; the template escapes each line and joins them with <br>.
    lines: order.userVisibleData?.split(/\r\n|\r|\n/) ?? [],
    canChoose: hint === 'outstandingTransaction' && Boolean(order.qr),
    canOpen: hint === 'outstandingTransaction' && Boolean(order.autoStartToken),
    awaitingCall: phone && (hint === 'outstandingTransaction' || hint === 'userCallConfirm'),
    awaitingMrtd: hint === 'userMrtd',
    canConfirm: hint === 'started' || hint === 'userSign',
    returnLink: order.status === 'complete' && order.startMethod === 'app' && isWebUrl(order.returnUrl) ? order.returnUrl : undefined,
  };
}

export function isWebUrl(value: string | undefined): value is string {
  return value !== undefined && /^https?:\/\//i.test(value);
}
