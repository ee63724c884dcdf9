/**
 * Assembles and starts the broker: database, BankID client (and in demo mode the simulator), signing keys,
 * the OpenID provider, the interaction pages and the demo relying party, behind one koa app.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import Koa from 'koa';
import mount from 'koa-mount';
import type Provider from 'oidc-provider';
import { registeredClients } from './admin/actions/registration/clients.ts';
import { tenantPolicy, TENANT_POLICY } from './admin/actions/registration/policy.ts';
import type { RegistrationDeps } from './admin/actions/registration/registrant.ts';
import { tenantDirectory } from './admin/tenants.ts';
import { closeAgents } from './bankid/transport.ts';
import { CertificateConnections } from './certificates/connections.ts';
import { endpointsFromConfig } from './certificates/endpoints.ts';
import { ExpiryWatch, daysLeft, type WatchedCertificate } from './certificates/expiry.ts';
import { CertificateService } from './certificates/service.ts';
import { SettingsCertificate } from './certificates/settings-file.ts';
import type { Config } from './config/load.ts';
import { derivedKey, resolveSecrets } from './config/secrets.ts';
import { DomainEvents } from './events/emitter.ts';
import { auditDomainEvents, auditTrail } from './observability/audit-log.ts';
import { logDomainEvents } from './observability/event-log.ts';
import { assetRoutes } from './http/assets.ts';
import { accessLog } from './http/access-log.ts';
import { errorPages } from './http/error-pages.ts';
import { requestId } from './http/request-id.ts';
import { healthRoutes } from './http/health.ts';
import { requestMetrics, startMetricsServer } from './http/metrics.ts';
import { hostAllowList, securityHeaders } from './http/security.ts';
import { settleUnreadBody } from './http/unread-body.ts';
import { isClientGone } from './http/client-gone.ts';
import { loadedOnFirstUse } from './http/on-first-use.ts';
import { Listeners } from './http/listeners.ts';
import { interactionRoutes } from './interaction/routes.ts';
import { StreamHub } from './interaction/stream-hub.ts';
import { limitStarts } from './interaction/steps/limit-starts.ts';
import { Admission } from './limits/admission.ts';
import { authorizationRequestGuard } from './limits/authorization-requests.ts';
import { RateLimiter } from './limits/limiter.ts';
import { checkOrderStart } from './limits/order-starts.ts';
import { Collector } from './orders/collector.ts';
import { PhoneOrders } from './orders/phone.ts';
import { CompletionVerifier } from './bankid/verification/index.ts';
import { OrderFlow } from './orders/flow.ts';
import type { Logger } from './observability/logger.ts';
import { Metrics } from './observability/metrics.ts';
import { outgoingTraceparent } from './observability/trace.ts';
import { findAccount } from './oidc/account.ts';
import { ADMIN_API_PATH } from './oidc/admin-resource.ts';
import { bindLoginsToGrants } from './oidc/login-binding.ts';
import { CibaResults } from './oidc/ciba-results.ts';
import { KeyStore, jwksFingerprint, maxTokenLifetime } from './oidc/keys.ts';
import { providerPages } from './oidc/pages.ts';
import { acceptPreviousSecrets } from './oidc/previous-secrets.ts';
import { createProvider } from './oidc/provider.ts';
import { emitLoginEvents } from './oidc/events.ts';
import { accountIdFor, ledgerPersonKey } from './oidc/subject.ts';
import { consoleOidc, CONSOLE_PATH, ensureConsoleClient } from './console/client.ts';
import { loopbackOf } from './console/local-fetch.ts';
import { CookieSigner } from './security/cookie-signer.ts';
import { ConsoleSessionRepository } from './storage/console-sessions.ts';
import { getOrCreateSecret } from './storage/broker-secrets.ts';
import { ADMIN_PERSONAL_NUMBER_KEY, AdminStore } from './storage/admins.ts';
import { ClientAdminStore } from './storage/client-admin.ts';
import { ClientRepository } from './storage/clients.ts';
import { checkDatabase, openDatabase, type DatabaseHandle } from './storage/database.ts';
import { SecretBox } from './storage/encryption.ts';
import { migrateToLatest } from './storage/migrator.ts';
import { CLIENT_CHANGES_CHANNEL, ORDER_CHANGES_CHANNEL, parseOrderChange } from './storage/notifications.ts';
import { createOidcAdapterFactory, schedulePurge } from './storage/oidc-adapter.ts';
import { withBatchedWrites } from './storage/oidc-writes.ts';
import { LoginRepository } from './storage/logins.ts';
import { OrderRepository } from './storage/orders.ts';
import { RpCertificateRepository } from './storage/rp-certificates.ts';
import { DEFAULT_TENANT, TenantRepository } from './storage/tenants.ts';
import { withLoginSettings } from './tenants/login-settings.ts';
import { TenantService } from './tenants/service.ts';
import { RateLimitStore } from './storage/rate-limits.ts';
import { loadInteractionWithOrder } from './storage/interaction-context.ts';
import { withRequestScope } from './storage/request-scope.ts';
import { applyRetention } from './storage/retention.ts';
import type { RunningSimulator } from './simulator/index.ts';

export interface BrokerOptions {
  logger: Logger;
  /** An open database to use instead of the configured one (tests); the broker does not close it. */
  database?: DatabaseHandle;
  /** A running simulator to use instead of starting one in demo mode (tests); the broker does not close it. */
  simulator?: RunningSimulator;
  /** Client settings that are not operator configuration (tests shorten the maintenance backoff). */
  bankIdRetryDelayMs?: (attempt: number) => number;
  /** The admin console's clock (tests move it past the idle timeout). */
  consoleClock?: () => Date;
  /** The order flow's clock in ms (tests move it past how long a render's row serves its page's stream). */
  orderClock?: () => number;
}

export interface RunningBroker {
  /** The issuer (public URL). */
  url: string;
  /** The local port the broker listens on. */
  port: number;
  /** Where Prometheus scrapes this process (METRICS_PORT, apart from the public port). */
  metricsUrl: string;
  config: Config;
  database: DatabaseHandle;
  clients: ClientRepository;
  tenants: TenantService;
  /** Tenants' RP certificates; activation here also closes the retired one's connections in this process. */
  certificates: CertificateService;
  simulator?: RunningSimulator;
  provider(): Provider;
  /** The order flow and this process's status streams (tests run the janitor and the liveness flush by hand). */
  orders: OrderFlow;
  streams: StreamHub;
  /** The domain events (orders, logins) for subscribers such as metrics. */
  events: DomainEvents;
  /** What the order janitor does every 10 s, now (tests): cancels abandoned orders, returns how many. */
  sweepAbandoned(): Promise<number>;
  /** What the order janitor also does: answers the CIBA requests of phone orders a stopped process left; how many. */
  answerMissedPhoneOrders(): Promise<number>;
  close(): Promise<void>;
}

const MINUTE = 60_000;
/**
 * Connections the kernel queues until the broker accepts them (capped by net.core.somaxconn). Node's 511 overflowed
 * while 10,000 pages arrived: a dropped SYN is retried after 1, 3, 7, 15, 31 s, so a page's stream came up to 35 s
 * late and its order looked abandoned.
 */
const LISTEN_BACKLOG = 4096;
/** A QR page polls every second; one not heard from for this long is gone and its order is cancelled. */
const QR_IDLE_S = 30;
/**
 * A waiting page's status poll or the opening of its event stream (its order is kept alive by them): admitted ahead
 * of new work when busy. An open stream holds no place: its handler returns once the hub has it.
 */
const STATUS_POLL = /^\/interaction\/[^/]+\/(status|events)$/;

/** A busy port is an operator's fix: say which setting to change. */
/** A listening address as a URL host: loopback for the wildcard, brackets for IPv6. */
function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

function portInUse(err: NodeJS.ErrnoException, setting: string): Error {
  return err.code === 'EADDRINUSE' ? new Error(`${err.message}: another program uses that port; stop it or change ${setting}`, { cause: err }) : err;
}

export async function startBroker(config: Config, options: BrokerOptions): Promise<RunningBroker> {
  const { logger } = options;
  const cleanups: (() => unknown)[] = []; // undone last-in first-out
  let closing: Promise<void> | undefined;
  const listeners = new Listeners({
    headersTimeout: config.http.headersTimeoutMs,
    requestTimeout: config.http.requestTimeoutMs,
    keepAliveTimeout: config.http.keepAliveTimeoutMs,
    // Node checks the two timeouts above only this often (30 s by default): a slow client is cut close to its bound.
    connectionsCheckingInterval: 1000,
  });
  try {
    const database = options.database ?? await openDatabase({ url: config.database.url, dataDir: config.database.dataDir, connectTimeoutMs: config.database.connectTimeoutMs, statementTimeoutMs: config.database.statementTimeoutMs });
    if (!options.database) cleanups.push(() => database.close());
    if (config.autoMigrate) {
      const applied = await migrateToLatest(database.db);
      if (applied.length) logger.info({ applied }, 'migrations applied');
    }
    const secrets = resolveSecrets(config);
    const box = new SecretBox(secrets.encryptionKey);

    let simulator = options.simulator;
    if (!simulator && config.demo) {
      // Loaded only here: demo mode's simulator and demo app are no part of a production process's memory.
      const { startSimulator } = await import('./simulator/index.ts');
      simulator = await startSimulator({ ...config.simulator, logger: logger.child({ component: 'simulator' }) })
        .catch((err: NodeJS.ErrnoException) => { throw portInUse(err, 'SIMULATOR_PORT or SIMULATOR_CONTROL_PORT'); });
      cleanups.push(() => simulator!.close());
    }
    // --- BankID certificates: the default tenant's from the settings (hot-reloaded), every tenant's from the database.
    const settingsCertificate = new SettingsCertificate({
      certFile: config.bankid.certFile,
      certPemFile: config.bankid.certPemFile,
      keyPemFile: config.bankid.keyPemFile,
      passphrase: config.bankid.certPassphrase,
    }, { logger, onChange: (_next, previous) => connections.release(previous.fingerprint) }).watch();
    cleanups.push(() => settingsCertificate.close());
    // What happens, told once where it happens: log lines, the audit trail, the metrics; the ledger is written by the
    // order statements themselves, so it never misses an order.
    const events = new DomainEvents((err, name) => logger.error({ event: name, err: (err as Error).message }, 'event subscriber failed'));
    logDomainEvents(events, logger);
    const audit = auditTrail(config.log, logger);
    cleanups.push(() => audit.close());
    auditDomainEvents(events, audit.logger);
    const endpoints = endpointsFromConfig(config, simulator?.apiUrl);
    const rpCertificates = new RpCertificateRepository(database.db, box);
    const clients = new ClientRepository(database.db, box);
    const connections = new CertificateConnections({
      certificates: rpCertificates,
      tenantOf: async (clientId) => (await clients.findWithTenant(clientId))?.tenantId ?? DEFAULT_TENANT,
      endpoints,
      defaultEnvironment: config.bankid.environment,
      settingsCertificate: () => settingsCertificate.current,
      client: {
        timeoutMs: config.bankid.timeoutMs,
        maintenanceRetries: config.bankid.maintenanceRetries,
        retryDelayMs: options.bankIdRetryDelayMs,
        logger: logger.child({ component: 'bankid' }),
        onCall: (call) => events.emit('bankid.call', call),
        traceparent: outgoingTraceparent,
      },
    });
    cleanups.push(() => closeAgents());
    const listWatched = async (): Promise<WatchedCertificate[]> => [
      { fingerprint: settingsCertificate.current.fingerprint, subject: settingsCertificate.current.subject, notAfter: settingsCertificate.current.notAfter, tenantId: 'settings', state: 'settings' },
      ...(await rpCertificates.list()).filter((c) => c.state !== 'retired'),
    ];
    const expiry = new ExpiryWatch(listWatched, logger.child({ component: 'certificates' }));
    await expiry.check();
    // Every certificate's days left when scraped: the settings one, and each tenant's (listed by the last check).
    let watched: WatchedCertificate[] = [];
    const orders = new OrderRepository(database.db);
    const metrics = new Metrics({
      events,
      certificates: () => watched.map((c) => ({ ...c, daysLeft: daysLeft(c.notAfter, new Date()) })),
      pool: database.poolStats,
      pendingOrders: () => orders.countPending(),
    });
    cleanups.push(() => metrics.close());
    const metricsServer = await startMetricsServer(metrics, config.http.host, config.http.metricsPort, (err) => portInUse(err, 'METRICS_PORT'));
    cleanups.push(() => new Promise((resolve) => { metricsServer.closeAllConnections(); metricsServer.close(() => resolve(undefined)); }));
    const metricsPort = (metricsServer.address() as AddressInfo).port;
    const refreshWatched = async () => { watched = await listWatched(); };
    await refreshWatched();
    const certificateUpkeep = setInterval(() => {
      void settingsCertificate.reloadIfChanged(); // in case a watch event was missed
      void connections.sweep();
      expiry.check().catch((err: Error) => logger.error({ err: err.message }, 'certificate expiry check failed'));
      refreshWatched().catch((err: Error) => logger.error({ err: err.message }, 'certificate listing for metrics failed'));
    }, MINUTE);
    certificateUpkeep.unref();
    cleanups.push(() => clearInterval(certificateUpkeep));
    const certificates = new CertificateService({
      certificates: rpCertificates,
      tenants: new TenantRepository(database.db),
      endpoints,
      defaultEnvironment: config.bankid.environment,
      client: { timeoutMs: config.bankid.timeoutMs, maintenanceRetries: 0, logger: logger.child({ component: 'certificates' }) },
      onRetired: (fingerprint) => connections.release(fingerprint),
      onActivated: (tenantId) => connections.tenantChanged(tenantId),
    });
    const certificate = settingsCertificate.current;
    logger.info({ bankid: endpoints[config.bankid.environment]?.baseUrl, certificate: certificate.subject, daysLeft: certificate.daysLeft() }, 'bankid client ready');
    // --- end BankID certificates

    const orderFlow = new OrderFlow({
      bankid: connections,
      orders,
      logger: logger.child({ component: 'orders' }),
      events,
      firstCollectAfterMs: config.bankid.collectIntervalMs,
      now: options.orderClock,
    });
    // After the server has closed, before the BankID connections and the database go.
    cleanups.push(() => orderFlow.close());
    // One verifier for every completion, and in demo mode for what the demo relying party received.
    const verifier = new CompletionVerifier({ userRootsPem: readFileSync(config.bankid.userRootCaFile!, 'utf8') });
    // Made once the provider exists, before the collector starts; closed after it, as its last collects may still end
    // phone orders.
    let cibaResults: CibaResults | undefined;
    cleanups.push(() => cibaResults?.close());
    const collector = new Collector({
      bankid: connections,
      orders,
      accountIdFor: (completion) => accountIdFor(secrets.subjectSecret, completion.user.personalNumber),
      personKeyFor: (completion) => ledgerPersonKey(secrets.subjectSecret, completion.user.personalNumber),
      verifier,
      logger: logger.child({ component: 'collector' }),
      events,
      intervalMs: config.bankid.collectIntervalMs,
      concurrency: config.bankid.collectConcurrency,
    });
    cleanups.push(() => collector.close());
    const streams = new StreamHub({ flow: orderFlow, logger: logger.child({ component: 'streams' }), maxStreams: config.http.maxEventStreams });
    // Changes made by any replica; after a reconnect `resync` catches up with what the lost connection missed.
    const follow = async (channel: string, what: string, onNotify: (payload: string) => void, resync: () => void) => {
      const log = logger.child({ component: `${what}-changes` });
      const listening = await database.listen(channel, {
        onNotify,
        onReconnect: () => {
          log.info(`listening for ${what} changes again`);
          resync();
        },
        onError: (err) => log.warn({ err: err.message }, `listening for ${what} changes failed; reconnecting`),
      });
      cleanups.push(() => listening.close());
    };
    const resyncOrders = () => {
      orderFlow.resync();
      streams.rereadAll();
    };
    await follow(ORDER_CHANGES_CHANNEL, 'order', (payload) => {
      const notice = parseOrderChange(payload);
      if (!notice) return resyncOrders();
      orderFlow.changed(notice.orderId);
      streams.changed(notice);
    }, resyncOrders);
    await follow(CLIENT_CHANGES_CHANNEL, 'client', (payload) => {
      clients.changed(payload);
      connections.changed(payload);
    }, () => {
      clients.forgetAll();
      connections.forgetAll();
    });
    const clientAdmin = new ClientAdminStore(box);
    const keys = new KeyStore(database.db, box, { jwksFile: config.oidc.jwksFile });
    await keys.ensureKeys(new Date());
    const cookieKeys = JSON.parse(await getOrCreateSecret(database.db, box, 'cookie-keys', () => JSON.stringify([randomBytes(32).toString('base64url')]))) as string[];
    const cookieSigner = new CookieSigner(cookieKeys);
    const dpopNonceSecret = Buffer.from(await getOrCreateSecret(database.db, box, 'dpop-nonce-secret', () => randomBytes(32).toString('hex')), 'hex');

    // The issuer must be known before the provider exists; with PORT=0 it comes from the port we got.
    const port = await listeners.listen({ port: config.http.port, host: config.http.host, backlog: LISTEN_BACKLOG })
      .catch((err: NodeJS.ErrnoException) => { throw portInUse(err, 'PORT'); });
    // Requests in flight are answered; pending orders stay for the other replicas (the collector only stops).
    cleanups.push(async () => {
      if ((await listeners.drain(config.http.shutdownGraceMs)) === 'cut') logger.warn({ graceMs: config.http.shutdownGraceMs }, 'requests still running at the shutdown deadline were cut');
    });
    // First of all: the streams end, so the server's close does not wait on them.
    cleanups.push(() => streams.close());
    const effective: Config = new URL(config.http.issuer).port === '0'
      ? { ...config, http: { ...config.http, port, issuer: `http://localhost:${port}`, allowedHosts: [`localhost:${port}`] } }
      : config;

    const logins = new LoginRepository(database.db);
    const limiter = new RateLimiter(new RateLimitStore(database.db), { onRefused: (limit) => events.emit('ratelimit.refused', { limit }) });
    const phoneOrders = new PhoneOrders({ bankid: connections, orders, logger: logger.child({ component: 'orders' }), events });
    const keyLifetime = maxTokenLifetime(config);
    // Dynamic client registration writes clients through the adapter, into the clients table with an audit row.
    const registration: RegistrationDeps | undefined = config.admin.dynamicRegistration
      ? { db: database.db, clients: clientAdmin, forgetClient: (clientId) => clients.forget(clientId) }
      : undefined;
    // A client comes with its tenant's policy, in the same lookup: every login decision uses both.
    const adapter = createOidcAdapterFactory(database.db, {
      clientFinder: async (id) => {
        const found = await clients.findWithTenant(id);
        return found && withLoginSettings(found, { asserted: config.oidc.acr, supported: config.oidc.acrSupported });
      },
      clientWriter: registration && registeredClients(registration),
    });
    const build = async () => {
      const jwks = await keys.currentJwks(new Date(), keyLifetime);
      const provider = createProvider({
        config: effective,
        adapter,
        jwks,
        cookieKeys: cookieSigner,
        dpopNonceSecret,
        subjectSecret: secrets.subjectSecret,
        findAccount: findAccount(logins),
        pages: providerPages(),
        registrationPolicies: registration && { [TENANT_POLICY]: tenantPolicy(registration) },
        ciba: { limit: (ctx, client) => checkOrderStart(limiter, effective, logger, ctx, client), orders: phoneOrders },
      });
      // A provider request's entity writes go to the database as one statement, before its response; the login
      // bindings (used inside it) with them.
      provider.use((_ctx, next) => withBatchedWrites(database.db, next));
      provider.use(bindLoginsToGrants(logins));
      emitLoginEvents(provider, events);
      // A rotated secret stays valid for its grace period (admin API).
      acceptPreviousSecrets(provider, (clientId) => clientAdmin.previousSecret(database.db, clientId));
      provider.on('server_error', (ctx, err) => logger.error({ requestId: ctx.state.requestId, route: ctx.oidc?.route, err: err.message, cause: (err.cause as Error | undefined)?.message }, 'oidc server error'));
      provider.on('authorization.error', (ctx, err) => logger.info({ requestId: ctx.state.requestId, clientId: ctx.oidc?.client?.clientId, error: err.message }, 'authorization error'));
      provider.on('grant.error', (ctx, err) => logger.info({ requestId: ctx.state.requestId, clientId: ctx.oidc?.client?.clientId, error: err.message }, 'token error'));
      provider.on('backchannel_authentication.error', (ctx, err) => logger.info({ requestId: ctx.state.requestId, clientId: ctx.oidc?.client?.clientId, error: err.message }, 'phone order request (CIBA) error'));
      return { provider, fingerprint: jwksFingerprint(jwks), middleware: mount(provider) };
    };
    let current = await build();
    // Phone orders' CIBA requests are answered where their order ends (whichever replica's collector ends it).
    cibaResults = new CibaResults({ events, orders, logins, provider: () => current.provider, logger: logger.child({ component: 'ciba' }) });
    collector.start();

    // Keys rotated by `brygga keys rotate` (on any replica) reach this one within a minute.
    const reload = setInterval(() => {
      void (async () => {
        const jwks = await keys.currentJwks(new Date(), keyLifetime);
        if (jwksFingerprint(jwks) !== current.fingerprint) {
          current = await build();
          logger.info('signing keys changed; provider reloaded');
        }
      })().catch((err: Error) => logger.error({ err: err.message }, 'key reload failed'));
    }, MINUTE);
    reload.unref();
    cleanups.push(() => clearInterval(reload));
    const admission = new Admission({
      ...config.busy,
      urgent: (ctx) => ctx.method === 'GET' && STATUS_POLL.test(ctx.path),
      logger,
    });
    // A page whose polls were refused as busy is still there, though its order looks unpolled: while any request
    // was refused within the idle time, no order counts as abandoned (BUSY_MAX_WAIT_MS is far below it).
    const sweepAbandoned = async () => admission.refusedWithin(QR_IDLE_S * 1000) ? 0 : orderFlow.cancelAbandoned(QR_IDLE_S, undefined, (id) => streams.watching(id));
    const janitor = setInterval(() => {
      sweepAbandoned().then((n) => n && logger.info({ cancelled: n }, 'abandoned bankid orders cancelled'), (err: Error) => logger.error({ err: err.message }, 'order janitor failed'));
      cibaResults!.answerMissed().then((n) => n && logger.warn({ answered: n }, 'CIBA requests of phone orders left unanswered were answered'), (err: Error) => logger.error({ err: err.message }, 'answering missed CIBA requests failed'));
    }, 10_000);
    janitor.unref();
    cleanups.push(() => clearInterval(janitor));
    const consoleSessions = new ConsoleSessionRepository(database.db);
    cleanups.push(schedulePurge(database.db, 10 * MINUTE, logger, async () => {
      await consoleSessions.removeIdle(new Date(), config.console.idleTimeoutS);
      const done = await applyRetention(database.db, config.retention);
      if (done.closed || done.stripped || done.deleted) logger.info(done, 'order data retention applied');
      if (done.backlog) logger.warn(done, 'order data retention is behind; the next runs continue');
    }));

    const app = new Koa({ proxy: config.http.trustProxy, maxIpsCount: config.http.proxyHops });
    app.keys = cookieSigner;
    app.on('error', (err: Error & { status?: number; code?: string; headerSent?: boolean }, ctx?: Koa.Context) => {
      if (isClientGone(err, ctx?.status === 101)) logger.debug({ err: err.message, requestId: ctx?.state.requestId }, 'browser went away during the answer');
      else if (!err.status || err.status >= 500) logger.error({ err: err.message, requestId: ctx?.state.requestId }, 'request failed');
    });
    app.use(requestId);
    app.use(accessLog(logger));
    app.use(requestMetrics(metrics));
    // Each stored OIDC entity is read once per request, whichever step asks (storage/request-scope.ts).
    app.use((_ctx, next) => withRequestScope(next));
    app.use(securityHeaders({ https: new URL(effective.http.issuer).protocol === 'https:' }));
    app.use(settleUnreadBody);
    // Before the host allow-list: probes address the pod or container, not the public host.
    app.use(healthRoutes({ checkDatabase: () => checkDatabase(database.db, 2000), certificate: () => settingsCertificate.current, certificateWarnings: () => expiry.latest }).routes());
    app.use(hostAllowList(effective.http.allowedHosts));
    app.use(errorPages({ home: config.demo ? '/demo' : undefined }));
    const own = new Router();
    if (config.demo) own.get('/', (ctx) => ctx.redirect('/demo'));
    app.use(own.routes());
    const admins = new AdminStore(derivedKey(secrets, ADMIN_PERSONAL_NUMBER_KEY));
    const adminDeps = {
      db: database.db, config: effective, logger, provider: () => current.provider,
      clients: clientAdmin, forgetClient: (clientId: string) => clients.forget(clientId), tenants: tenantDirectory(new TenantRepository(database.db)),
      certificates, admins,
    };
    app.use(loadedOnFirstUse(ADMIN_API_PATH, async () => (await import('./admin/router.ts')).adminRouter(adminDeps).routes()));
    // The console: a first-party client of this very broker, reaching it through this process's own listener.
    const consoleSecret = await getOrCreateSecret(database.db, box, 'console-client-secret', () => randomBytes(32).toString('base64url'));
    await ensureConsoleClient(clients, effective.http.issuer, consoleSecret);
    app.use(assetRoutes().routes());
    // Everything below may touch the database: admitted within bounds, or answered "busy" at once.
    app.use(admission.middleware());
    app.use(loadedOnFirstUse(CONSOLE_PATH, async () => {
      const [{ consoleRouter }, { adminCaller }] = await Promise.all([import('./console/routes.ts'), import('./console/admin-call.ts')]);
      return consoleRouter({
        db: database.db, config: effective, logger: logger.child({ component: 'console' }), admins,
        sessions: consoleSessions, call: adminCaller(adminDeps), now: options.consoleClock ?? (() => new Date()),
        oidc: consoleOidc(effective.http.issuer, loopbackOf(config.http.host, port), consoleSecret),
      }).routes();
    }));
    const interactions = interactionRoutes({ config: effective, provider: () => current.provider, orders: orderFlow, streams, csrfSecret: cookieKeys[0]!, logger,
      loadWithOrder: (uid, render, starts) => loadInteractionWithOrder(database.db, uid, render, starts) }, limitStarts(limiter, effective, logger));
    app.use(interactions.routes());
    app.use(interactions.allowedMethods());
    if (config.demo) {
      const { demoRoutes, registerDemoClient } = await import('./demo/routes.ts');
      await registerDemoClient(clients, effective);
      const { seedDemoAdmin } = await import('./demo/console-admin.ts');
      await seedDemoAdmin(admins, database.db);
      app.use(demoRoutes(effective, logger, clients, verifier, simulator?.controlUrl).routes());
    }
    // Own routes first: oidc-provider's routes end the response.
    app.use(authorizationRequestGuard(limiter, effective, logger));
    app.use((ctx, next) => current.middleware(ctx, next));
    // A waiting page's status stream may arrive as a WebSocket: through the same app, which takes the socket.
    listeners.handle(app.callback());
    logger.info({ issuer: effective.http.issuer, demo: config.demo, database: database.kind }, 'brygga listening');

    return {
      url: effective.http.issuer,
      port,
      metricsUrl: `http://${hostForUrl(config.http.host)}:${metricsPort}/metrics`,
      config: effective,
      database,
      clients,
      tenants: new TenantService(database.db),
      certificates,
      simulator,
      provider: () => current.provider,
      orders: orderFlow,
      streams,
      events,
      sweepAbandoned,
      answerMissedPhoneOrders: () => cibaResults!.answerMissed(),
      close() {
        // Once: SIGTERM and SIGINT may both arrive, and tests close replicas they may have closed already.
        closing ??= (async () => { for (const cleanup of cleanups.reverse()) await cleanup(); })();
        return closing;
      },
    };
  } catch (err) {
    for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => {});
    listeners.close();
    throw err;
  }
}
