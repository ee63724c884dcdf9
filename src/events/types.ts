/**
 * The domain events of a BankID order and of a login: what happened, never who (no personal number, no name; at
 * most the pseudonymous account id, `subject`, for the audit trail).
 */
/** Who cancelled an order: the person (on the page or in the BankID app), the broker, or the janitor (page gone). */
export type CancelledBy = 'person' | 'broker' | 'janitor';

/** Which order, and the bounded facts metrics count it by (its client and start method). */
export interface OrderEvent {
  orderId: string;
  clientId: string | null;
  startMethod: string;
  /** The request that started the order. */
  requestId?: string;
  /** Once it ended: its tenant, as its ledger row names it. */
  tenantId?: string;
}

/** Who a login was for and where: the client's tenant, the account id (`sub` before any pairwise mapping), the request. */
export interface LoginEvent {
  clientId: string;
  tenantId?: string;
  subject?: string;
  requestId?: string;
}

export interface DomainEventMap {
  'order.started': OrderEvent & { clientId: string; startMethod: string; rpCertificate: string };
  /** A collect brought a hint code the order did not have yet. */
  'order.collected': OrderEvent & { hintCode: string };
  /** `subject`: the account id the completion maps to. */
  'order.completed': OrderEvent & { subject: string };
  /** `failedChecks`: why BankID's completion was not trusted (src/bankid/verification), never whose it was. */
  'order.failed': OrderEvent & { hintCode?: string; errorCode?: string; failedChecks?: string[] };
  'order.cancelled': OrderEvent & { by: CancelledBy };
  'order.expired': OrderEvent;
  /** oidc-provider began a login interaction for an authorization request: the first step of the login funnel. */
  'login.interaction_started': { clientId: string; requestId?: string };
  'login.id_token_issued': LoginEvent;
  'login.consent_given': LoginEvent;
  /** Without a client when the person logged out of the session at no client's request. */
  'login.logout': Omit<LoginEvent, 'clientId'> & { clientId?: string };
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
