/** An order as the control API and the app page show it: never the qrStartSecret. */
import type { Operation } from '../bankid/types.ts';
import type { Order, OrderBook, StartMethod } from './orders.ts';
import type { OrderRequest } from './validation.ts';

export interface OrderSummary {
  orderRef: string;
  operation: Operation;
  status: Order['state']['status'];
  hintCode?: string;
  created: string;
  startMethod?: StartMethod;
  rpDisplayName: string;
  /** SHA-256 (lower-case hex) of the client certificate that created the order; only it may collect or cancel. */
  rpCertificate: string;
  /** The text the user is shown, decoded. */
  userVisibleData?: string;
  returnUrl?: string;
  /** The start request as the RP sent it (texts still base64), for tests that check what the RP sends. */
  request: OrderRequest;
  /** What the app needs to start the order: the autostart token, and the QR frame an RP would show now. */
  autoStartToken?: string;
  qr?: string;
  user?: { personalNumber: string; name: string };
  /** How often the RP collected the order, and the shortest time between two of its collects (ms). */
  collects: number;
  shortestCollectGapMs?: number;
}

export function summarize(book: OrderBook, order: Order): OrderSummary {
  const { request, state } = order;
  return {
    orderRef: order.orderRef,
    operation: order.operation,
    status: state.status,
    hintCode: state.status === 'complete' ? undefined : state.hintCode,
    created: new Date(order.createdAt).toISOString(),
    startMethod: order.startMethod,
    rpDisplayName: order.rp.displayName,
    rpCertificate: order.rp.fingerprint,
    userVisibleData: request.userVisibleData === undefined ? undefined : Buffer.from(request.userVisibleData, 'base64').toString('utf8'),
    returnUrl: request.returnUrl,
    autoStartToken: order.tokens?.autoStartToken,
    qr: book.currentQr(order),
    user: state.status === 'complete' ? { personalNumber: state.completionData.user.personalNumber, name: state.completionData.user.name } : undefined,
    request,
    collects: order.collects,
    shortestCollectGapMs: order.shortestCollectGapMs,
  };
}
