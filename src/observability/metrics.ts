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

const orderLabels = (e: OrderEvent) => ({ client: e.clientId ?? 'none', start_method: e.startMethod });

export interface MetricsSources {
  events: DomainEvents;
  /** Certificates being watched, with whole days left (negative once expired). */
  certificates(): { tenantId: string; fingerprint: string; state: string; daysLeft: number }[];
  /** The Postgres pool's connections, when the database is a server. */
  pool?(): { inUse: number; idle: number; waiting: number };
}

export class Metrics {
  readonly registry = new Registry();
  readonly #http: Histogram<'route' | 'method' | 'status'>;
  readonly #unsubscribe: (() => void)[];

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'brygga_' });
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
