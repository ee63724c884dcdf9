/** The domain events of a BankID order and of a login: what happened, never who (no personal number, no name). */
import type { CancelledBy } from '../storage/ledger.ts';

export type { CancelledBy };

export interface OrderEvent {
  orderId: string;
}

export interface DomainEventMap {
  'order.started': OrderEvent & { clientId: string; startMethod: string; rpCertificate: string };
  /** A collect brought a hint code the order did not have yet. */
  'order.collected': OrderEvent & { hintCode: string };
  'order.completed': OrderEvent;
  'order.failed': OrderEvent & { hintCode?: string; errorCode?: string };
  'order.cancelled': OrderEvent & { by: CancelledBy };
  'order.expired': OrderEvent;
  'login.id_token_issued': { clientId: string; requestId?: string };
  'login.consent_given': { clientId: string; requestId?: string };
  'login.logout': { clientId?: string; requestId?: string };
}

export type DomainEventName = keyof DomainEventMap;
