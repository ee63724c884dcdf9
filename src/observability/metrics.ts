/**
 * Prometheus metrics (/metrics). Counted from the domain events (src/events) and from what the broker already keeps
 * (certificate expiry, the database pool), read when scraped. Labels are bounded: routes as patterns, client ids,
 * BankID's own codes (unknown ones become `other`), limit names; never a person, an order or free text.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DomainEvents } from '../events/emitter.ts';
import type { OrderEvent } from '../events/types.ts';

/** BankID's hint codes (rp-api-v6.md) and our own end states; anything else is counted as `other`. */
const HINT_CODES = new Set([
  'outstandingTransaction', 'noClient', 'started', 'userMobileRequired', 'userSign', 'userCallConfirm', 'expiredTransaction',
  'certificateErr', 'userCancel', 'cancelled', 'startFailed', 'userDeclinedCall', 'notSupportedByUserApp', 'transactionRiskBlocked',
  'transport', 'internal', 'internalError', 'requestTimeout', 'maintenance', 'invalidParameters', 'alreadyInProgress',
]);

/** OAuth/OIDC error codes oidc-provider answers with; any other (a custom one) is counted as `other`. */
const OIDC_ERRORS = new Set([
  'access_denied', 'account_selection_required', 'consent_required', 'interaction_required', 'invalid_client', 'invalid_client_metadata',
  'invalid_dpop_proof', 'invalid_grant', 'invalid_redirect_uri', 'invalid_request', 'invalid_request_object', 'invalid_request_uri',
  'invalid_scope', 'invalid_target', 'invalid_token', 'insufficient_scope', 'login_required', 'registration_not_supported',
  'request_not_supported', 'request_uri_not_supported', 'server_error', 'temporarily_unavailable', 'unauthorized_client',
  'unmet_authentication_requirements', 'unsupported_grant_type', 'unsupported_response_mode', 'unsupported_response_type', 'use_dpop_nonce',
]);

/** Pending orders are counted in the database at most this often, however often (and by how many) it is scraped. */
const PENDING_CACHE_MS = 10_000;

const orderLabels = (e: OrderEvent) => ({ client: e.clientId ?? 'none', start_method: e.startMethod });

export interface MetricsSources {
  events: DomainEvents;
  /** Certificates being watched, with whole days left (negative once expired). */
  certificates(): { tenantId: string; fingerprint: string; state: string; daysLeft: number }[];
  /** The Postgres pool's connections, when the database is a server. */
  pool?(): { inUse: number; idle: number; waiting: number };
  /** Orders pending on all replicas together (a count in the database). */
  pendingOrders?(): Promise<number>;
  now?(): number;
}

export class Metrics {
  readonly registry = new Registry();
  readonly #http: Histogram<'route' | 'method' | 'status'>;
  readonly #unsubscribe: (() => void)[];

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'brygga_', eventLoopMonitoringPrecision: 100 });
    this.#http = new Histogram({ name: 'brygga_http_request_duration_seconds', help: 'HTTP requests by route pattern, method and status', labelNames: ['route', 'method', 'status'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers });
    const bankid = new Histogram({ name: 'brygga_bankid_call_duration_seconds', help: 'Calls to the BankID RP API by endpoint and outcome', labelNames: ['endpoint', 'outcome'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10], registers });
    const started = new Counter({ name: 'brygga_orders_started_total', help: 'BankID orders started', labelNames: ['client', 'start_method'], registers });
    const completed = new Counter({ name: 'brygga_orders_completed_total', help: 'BankID orders completed', labelNames: ['client', 'start_method'], registers });
    const failed = new Counter({ name: 'brygga_orders_failed_total', help: 'BankID orders failed, by hint code (or the error code of a collect that gave up)', labelNames: ['client', 'start_method', 'hint_code'], registers });
    const cancelled = new Counter({ name: 'brygga_orders_cancelled_total', help: 'BankID orders cancelled, by whom: the person (page or app), the broker or the janitor', labelNames: ['client', 'start_method', 'by'], registers });
    const expired = new Counter({ name: 'brygga_orders_expired_total', help: 'BankID orders that expired unanswered', labelNames: ['client', 'start_method'], registers });
    const refused = new Counter({ name: 'brygga_rate_limit_rejections_total', help: 'Requests refused by a rate limit', labelNames: ['limit'], registers });
    new Gauge({
      name: 'brygga_certificate_days_left', help: 'Whole days until a BankID RP certificate expires (negative: expired)', labelNames: ['tenant', 'certificate', 'state'], registers,
      collect() {
        this.reset();
        for (const c of sources.certificates()) this.set({ tenant: c.tenantId, certificate: c.fingerprint, state: c.state }, c.daysLeft);
      },
    });
    const logins = new Counter({ name: 'brygga_login_steps_total', help: 'Logins by client and step reached: `interaction_started` (an authorization request began a login), `id_token_issued` (the client got its ID token); with the order counters, the login funnel', labelNames: ['client', 'step'], registers });
    const oidcErrors = new Counter({ name: 'brygga_oidc_errors_total', help: 'Errors oidc-provider answered, by its event (`server_error`, `authorization.error`, `grant.error`) and OAuth error code', labelNames: ['event', 'error', 'client'], registers });
    if (sources.pendingOrders) {
      const count = sources.pendingOrders;
      const now = sources.now ?? Date.now;
      let cached: { at: number; value: number } | undefined;
      new Gauge({
        name: 'brygga_orders_pending', help: `BankID orders pending on all replicas together (counted at most every ${PENDING_CACHE_MS / 1000} s)`, registers,
        async collect() {
          if (!cached || now() - cached.at >= PENDING_CACHE_MS) {
            // A database that does not answer must not fail the whole scrape: the last count stays.
            const value = await count().catch(() => undefined);
            if (value !== undefined) cached = { at: now(), value };
          }
          if (cached) this.set(cached.value);
        },
      });
    }
    if (sources.pool) {
      const pool = sources.pool;
      new Gauge({
        name: 'brygga_db_pool_connections', help: 'Database pool connections: in use, idle, and requests waiting for one', labelNames: ['state'], registers,
        collect() {
          const now = pool();
          this.set({ state: 'in_use' }, now.inUse);
          this.set({ state: 'idle' }, now.idle);
          this.set({ state: 'waiting' }, now.waiting);
        },
      });
    }
    this.#unsubscribe = [
      sources.events.on('bankid.call', (e) => bankid.observe({ endpoint: e.endpoint, outcome: e.outcome }, e.durationS)),
      sources.events.on('order.started', (e) => started.inc(orderLabels(e))),
      sources.events.on('order.completed', (e) => completed.inc(orderLabels(e))),
      sources.events.on('order.failed', (e) => {
        const code = e.hintCode ?? e.errorCode ?? 'other';
        failed.inc({ ...orderLabels(e), hint_code: HINT_CODES.has(code) ? code : 'other' });
      }),
      sources.events.on('order.cancelled', (e) => cancelled.inc({ ...orderLabels(e), by: e.by })),
      sources.events.on('order.expired', (e) => expired.inc(orderLabels(e))),
      sources.events.on('ratelimit.refused', (e) => refused.inc({ limit: e.limit })),
      sources.events.on('login.interaction_started', (e) => logins.inc({ client: e.clientId, step: 'interaction_started' })),
      sources.events.on('login.id_token_issued', (e) => logins.inc({ client: e.clientId, step: 'id_token_issued' })),
      sources.events.on('oidc.error', (e) => oidcErrors.inc({ event: e.event, error: OIDC_ERRORS.has(e.error) ? e.error : 'other', client: e.clientId ?? 'none' })),
    ];
  }

  /** Times one HTTP request; `route` is a pattern (`/interaction/:uid/status`), never the path itself. */
  observeRequest(route: string, method: string, status: number, durationS: number): void {
    this.#http.observe({ route, method, status: String(status) }, durationS);
  }

  close(): void {
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
  }
}
