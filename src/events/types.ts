/** The domain events of a BankID order and of a login: what happened, never who (no personal number, no name). */
/** Who cancelled an order: the person (on the page or in the BankID app), the broker, or the janitor (page gone). */
export type CancelledBy = 'person' | 'broker' | 'janitor';

/** Which order, and the bounded facts metrics count it by (its client and start method). */
export interface OrderEvent {
  orderId: string;
  clientId: string | null;
  startMethod: string;
}

export interface DomainEventMap {
  'order.started': OrderEvent & { clientId: string; startMethod: string; rpCertificate: string };
  /** A collect brought a hint code the order did not have yet. */
  'order.collected': OrderEvent & { hintCode: string };
  'order.completed': OrderEvent;
  /** `failedChecks`: why BankID's completion was not trusted (src/bankid/verification), never whose it was. */
  'order.failed': OrderEvent & { hintCode?: string; errorCode?: string; failedChecks?: string[] };
  'order.cancelled': OrderEvent & { by: CancelledBy };
  'order.expired': OrderEvent;
  /** oidc-provider began a login interaction for an authorization request: the first step of the login funnel. */
  'login.interaction_started': { clientId: string; requestId?: string };
  'login.id_token_issued': { clientId: string; requestId?: string };
  'login.consent_given': { clientId: string; requestId?: string };
  'login.logout': { clientId?: string; requestId?: string };
  /**
   * An error oidc-provider answered: its event (`server_error`, `authorization.error`, `grant.error`) and the OAuth
   * error code it sent (`server_error` for its own failures).
   */
  'oidc.error': { event: string; error: string; clientId?: string };
  /** One HTTP exchange with BankID's RP API: `ok`, `http_<status>`, `transport` (no answer) or `aborted`. */
  'bankid.call': { endpoint: string; outcome: string; durationS: number };
  /** A request refused by a rate limit; `limit` names the limit (e.g. `start:ip`), never the key's address or id. */
  'ratelimit.refused': { limit: string };
}

export type DomainEventName = keyof DomainEventMap;
