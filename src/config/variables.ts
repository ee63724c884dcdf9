/**
 * Every environment variable Brygga reads, with its default and meaning, in one place.
 * The README table is generated from this list (`npm run docs:config`) and a test keeps them equal.
 * A variable marked `secret` may also be given as `NAME_FILE`, a path whose content is the value.
 */
import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');
const port = z.coerce.number().int().min(0).max(65535);
const seconds = z.coerce.number().int().positive();
const count = z.coerce.number().int().positive();
const list = z.string().transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));
const url = z.url({ protocol: /^https?$/ });
/** Every acr the broker may assert: ACR picks the default, a tenant's policy may pick another for its clients. */
export const ACR_VALUES = ['http://id.swedenconnect.se/loa/1.0/uncertified-loa3', 'http://id.elegnamnden.se/loa/1.0/loa3'] as const;

export interface Variable {
  name: string;
  schema: z.ZodType;
  default?: string;
  secret?: boolean;
  description: string;
}

export const variables = [
  { name: 'NODE_ENV', schema: z.enum(['development', 'production', 'test']), default: 'development', description: 'Runtime profile. `production` refuses demo shortcuts (generated secrets, the in-process simulator).' },
  { name: 'LOG_LEVEL', schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), default: 'info', description: 'Minimum log level.' },
  { name: 'LOG_FORMAT', schema: z.enum(['json', 'pretty']), description: 'Log output: `json` (default in production) or `pretty` (default otherwise). Personal numbers, tokens, cookies and secrets are redacted in both.' },
  { name: 'AUDIT_LOG_FILE', schema: z.string().min(1), description: 'Where the audit trail of logins goes (one JSON line per BankID order\'s end, ID token, consent and logout; see docs/operations.md): appended to this file. Unset: the log output, as lines with `"audit":true`. Written whatever `LOG_LEVEL` says.' },
  { name: 'HOST', schema: z.string().min(1), default: '127.0.0.1', description: 'Address the broker listens on (`0.0.0.0` in a container).' },
  { name: 'PORT', schema: port, default: '3000', description: 'Port the broker listens on.' },
  { name: 'METRICS_PORT', schema: port, default: '9464', description: 'Port of the Prometheus `/metrics` listener, on `HOST` too but apart from `PORT`, so the public ingress never exposes the metrics (they name clients and tenants). 0 picks a free port.' },
  { name: 'SHUTDOWN_GRACE_MS', schema: z.coerce.number().int().min(0).max(120_000), default: '10000', description: 'On SIGTERM, how long requests in flight may take to finish before their connections are cut (new connections are refused at once; pending BankID orders are left to the other replicas, never cancelled). Keep it below the orchestrator\'s termination grace period.' },
  { name: 'ISSUER', schema: url, description: 'Public issuer URL of the OpenID provider. Default `http://localhost:$PORT`. Must be `https` except on localhost (the session cookie is `SameSite=None; Secure`).' },
  { name: 'HTTP_HEADERS_TIMEOUT_MS', schema: z.coerce.number().int().min(1000).max(120_000), default: '10000', description: 'A client must send a request\'s headers within this time, or its connection is closed (slowloris-style clients hold no connection for long). At most `HTTP_REQUEST_TIMEOUT_MS`.' },
  { name: 'HTTP_REQUEST_TIMEOUT_MS', schema: z.coerce.number().int().min(1000).max(600_000), default: '30000', description: 'A client must send a whole request (headers and body) within this time, or it gets 408 and its connection is closed. Responses (status streams included) are not limited by it.' },
  { name: 'HTTP_KEEP_ALIVE_TIMEOUT_MS', schema: z.coerce.number().int().min(1000).max(600_000), default: '5000', description: 'How long an idle keep-alive connection stays open. Behind a load balancer keep it above the balancer\'s own idle timeout, so the broker never closes a connection the balancer is about to reuse.' },
  { name: 'TRUST_PROXY', schema: bool, default: 'false', description: 'Trust `X-Forwarded-For/-Proto/-Host` from a reverse proxy. Turn on only behind one.' },
  { name: 'PROXY_HOPS', schema: z.coerce.number().int().min(0), default: '1', description: 'With `TRUST_PROXY`: how many trusted proxies append to `X-Forwarded-For`; the client address is taken that many hops from the right.' },
  { name: 'ALLOWED_HOSTS', schema: list, description: 'Comma-separated host names (with port) accepted in `Host`/`X-Forwarded-Host`. Default: the host of `ISSUER`. Other hosts get 421.' },
  { name: 'DATABASE_URL', schema: z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://'), secret: true, description: 'PostgreSQL connection string. Unset: an embedded PostgreSQL (PGlite) in `DATA_DIR`.' },
  { name: 'DATABASE_CONNECT_TIMEOUT_MS', schema: z.coerce.number().int().min(100).max(60_000), default: '3000', description: 'With `DATABASE_URL`: longest wait for a database connection (a new one, or a free one of the pool). During an outage a request fails with 503 "try again in a moment" after at most this long, instead of hanging.' },
  { name: 'DATABASE_STATEMENT_TIMEOUT_MS', schema: z.coerce.number().int().min(100).max(600_000), default: '10000', description: 'With `DATABASE_URL`: a statement running longer is cancelled by the server (`statement_timeout`) and its request fails with 503.' },
  { name: 'DATA_DIR', schema: z.string().min(1), default: './.data', description: 'Directory of the embedded database (only without `DATABASE_URL`); guarded by a lock file.' },
  { name: 'AUTO_MIGRATE', schema: bool, description: 'Apply migrations at start. Default: on in demo mode, off otherwise (run `brygga migrate`).' },
  { name: 'DEMO', schema: bool, description: 'Demo mode: in-process simulator, demo relying party at `/demo`, generated secrets. Default: on unless `NODE_ENV=production` or `BANKID_ENV` is not `simulator`.' },
  { name: 'BANKID_ENV', schema: z.enum(['simulator', 'test', 'production']), default: 'simulator', description: 'Which BankID to talk to: `production` (appapi2.bankid.com), `test` (appapi2.test.bankid.com) or `simulator` (Brygga\'s own).' },
  { name: 'BANKID_API_URL', schema: url, description: 'Override the RP API base URL (ending in `/rp/v6.0/`). Default: from `BANKID_ENV`; for the simulator `https://localhost:$SIMULATOR_PORT/rp/v6.0/`.' },
  { name: 'BANKID_CERT_FILE', schema: z.string().min(1), description: 'Relying-party (FP) certificate as PKCS#12 (.p12/.pfx). Default for the simulator: `$SIMULATOR_CERTS_DIR/rp.p12`.' },
  { name: 'BANKID_CERT_PASSPHRASE', schema: z.string(), secret: true, description: 'Passphrase of `BANKID_CERT_FILE` (or of the PEM key). Default for the simulator: `$SIMULATOR_P12_PASSPHRASE`.' },
  { name: 'BANKID_CERT_PEM_FILE', schema: z.string().min(1), description: 'Alternative to PKCS#12: the FP certificate as PEM (with `BANKID_KEY_PEM_FILE`).' },
  { name: 'BANKID_KEY_PEM_FILE', schema: z.string().min(1), description: 'Private key (PEM, optionally encrypted with `BANKID_CERT_PASSPHRASE`) for `BANKID_CERT_PEM_FILE`.' },
  { name: 'BANKID_CA_FILE', schema: z.string().min(1), description: 'PEM of the BankID SSL root CA to pin (required for `test` and `production`; BankID publishes it). Default for the simulator: `$SIMULATOR_CERTS_DIR/ca.pem`.' },
  { name: 'BANKID_USER_ROOT_CA_FILE', schema: z.string().min(1), description: 'PEM of the BankID user root CA(s) that every completion\'s signer certificate must chain to (not the SSL root: BankID\'s `BankID Root CA v1` in production, `Test BankID Root CA v1 Test` in test; Brygga ships neither, get them from your bank or BankID). Required for `test` and `production`. Default for the simulator: `$SIMULATOR_CERTS_DIR/user-root-ca.pem`.' },
  { name: 'BANKID_TIMEOUT_MS', schema: z.coerce.number().int().positive(), default: '10000', description: 'Timeout of every call to the BankID API.' },
  { name: 'BANKID_MAINTENANCE_RETRIES', schema: z.coerce.number().int().min(0).max(10), default: '3', description: 'How many times a `maintenance` (503) answer is retried, with backoff, before giving up.' },
  { name: 'BANKID_COLLECT_INTERVAL_MS', schema: z.coerce.number().int().min(1000), default: '2000', description: 'How often an order is collected at most (BankID asks for 2 s, never under 1 s), however many pages and replicas poll; the order of a login is first collected this long after its start.' },
  { name: 'BANKID_COLLECT_CONCURRENCY', schema: z.coerce.number().int().min(0), default: '64', description: 'Collects one broker process has in flight at most. Its collector claims due orders from all replicas\' pending ones; `0` turns it off (other replicas collect).' },
  { name: 'SIMULATOR_HOST', schema: z.string().min(1), default: '127.0.0.1', description: 'Address both simulator ports bind to.' },
  { name: 'SIMULATOR_PORT', schema: port, default: '14443', description: 'Simulator RP API port (HTTPS with mutual TLS). 0 picks a free port.' },
  { name: 'SIMULATOR_CONTROL_PORT', schema: port, default: '14480', description: 'Simulator control API and app page port (plain HTTP). 0 picks a free port.' },
  { name: 'SIMULATOR_CERTS_DIR', schema: z.string().min(1), default: 'certs/simulator', description: 'Where the simulator keeps its CA, server and RP certificates (created on first start).' },
  { name: 'SIMULATOR_P12_PASSPHRASE', schema: z.string().min(1), secret: true, default: 'qwerty123', description: 'Passphrase of the simulator\'s `rp.p12`.' },
  { name: 'SIMULATOR_AUTO_APPROVE', schema: z.coerce.number().int().min(0), description: 'When set: milliseconds after which the simulator picks up and approves every order by itself (load tests).' },
  { name: 'SIMULATOR_START_TIMEOUT_S', schema: seconds, default: '30', description: 'Simulator: seconds until an order nobody picked up fails with `startFailed`.' },
  { name: 'SIMULATOR_ORDER_TTL_S', schema: seconds, default: '180', description: 'Simulator: seconds until a pending order fails with `expiredTransaction`.' },
  { name: 'EVENT_STREAMS_MAX', schema: count, default: '10000', description: 'Open status streams (`GET /interaction/{uid}/events`, pages waiting for BankID) one broker process holds at most; beyond it a page gets 503 with `Retry-After` and polls `/status` instead.' },
  { name: 'SESSION_TTL_S', schema: seconds, default: '1800', description: 'Absolute lifetime of a broker session (the cookie itself always ends with the browser).' },
  { name: 'INTERACTION_TTL_S', schema: seconds, default: '600', description: 'Lifetime of a login interaction and its cookies.' },
  { name: 'ID_TOKEN_TTL_S', schema: z.coerce.number().int().min(30).max(300), default: '300', description: 'ID token lifetime (at most 300 s).' },
  { name: 'ACCESS_TOKEN_TTL_S', schema: seconds, default: '600', description: 'Access token lifetime.' },
  { name: 'SUBJECT_SECRET', schema: z.string().min(32), secret: true, description: 'Secret (32+ characters) for the HMAC that turns a personal number into `sub`, and (through a derived key) for the keyed hash that stores console admins\' personal numbers. Required outside demo mode; changing it changes every `sub` and locks every console admin out.' },
  { name: 'ENCRYPTION_KEY', schema: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (32 bytes)'), secret: true, description: 'AES-256 key (64 hex) that encrypts secrets at rest: client secrets, signing keys, cookie keys. Required outside demo mode.' },
  { name: 'ACR', schema: z.enum(ACR_VALUES), default: 'http://id.swedenconnect.se/loa/1.0/uncertified-loa3', description: 'The `acr` asserted for a BankID login unless the client or its tenant names another of ACR_SUPPORTED. Use `loa3` only for an audited deployment.' },
  { name: 'ACR_SUPPORTED', schema: list.pipe(z.array(z.enum(ACR_VALUES))), description: 'Comma-separated acr values this deployment may assert: advertised as `acr_values_supported`, and the ones a tenant\'s policy or a client may pick. Must include ACR. Default: ACR only (so an uncertified deployment never advertises `loa3`, as the Swedish profile recommends).' },
  { name: 'RATE_LIMIT_STARTS_PER_IP_PER_MINUTE', schema: count, default: '10', description: 'BankID orders one client address may start per minute (IPv6: per /64). People behind one NAT or proxy share an address, so raise it for them; behind a reverse proxy set `TRUST_PROXY`, or every person shares the proxy\'s address.' },
  { name: 'RATE_LIMIT_STARTS_PER_INTERACTION', schema: count, default: '5', description: 'BankID orders one login (interaction) may start, retries and new QR codes included; then the person starts again at the service.' },
  { name: 'RATE_LIMIT_STARTS_PER_CLIENT_PER_MINUTE', schema: count, default: '600', description: 'BankID orders one client (service) may cause per minute, from all addresses together: a cap on what a flood can cost. Attempts refused by the address or login limits do not count.' },
  { name: 'RATE_LIMIT_AUTH_PER_IP_PER_MINUTE', schema: count, default: '60', description: 'Authorization requests (`/auth`, and pushed ones at `/request`) one client address may make per minute (IPv6: per /64); each can create a login interaction.' },
  { name: 'AUTH_PARAM_MAX_BYTES', schema: count, default: '2048', description: 'Longest value of a single parameter (`state`, `nonce`, ...) accepted at `/auth` and `/request`; longer is refused with `invalid_request` before anything is stored.' },
  { name: 'AUTH_LARGE_PARAM_MAX_BYTES', schema: count, default: '16384', description: 'Longest value of the parameters that are large by nature: `request`, `claims`, `id_token_hint`, `client_assertion`, the oidc.se `userMessage` and `signRequest`, and Brygga\'s `paymentRequest` (so it also bounds the text and data a signature or payment request can carry).' },
  { name: 'AUTH_REQUEST_MAX_BYTES', schema: count, default: '32768', description: 'Longest query string (or `/request` body) accepted at `/auth` and `/request`, all parameters together.' },
  { name: 'BUSY_MAX_IN_FLIGHT', schema: count, default: '32', description: 'Requests the broker works on at once (health probes and static files not counted). More wait in a queue; fewer at once keeps each one fast when many people log in.' },
  { name: 'BUSY_MAX_QUEUED', schema: z.coerce.number().int().min(0), default: '1000', description: 'Requests that may wait for one of the `BUSY_MAX_IN_FLIGHT` places, polls of a waiting login page first. Beyond it a request is answered at once with 503 "busy, try again in a moment" (`Retry-After`): a page for a person, JSON for a program.' },
  { name: 'BUSY_MAX_WAIT_MS', schema: z.coerce.number().int().min(1).max(10_000), default: '5000', description: 'Longest wait in that queue before the answer is 503 "busy". At most 10 s: far below the 30 s after which an unpolled QR order counts as abandoned.' },
  { name: 'ORDER_DATA_RETENTION_S', schema: seconds, default: '3600', description: 'Seconds after a BankID order ends until its personal data (personal number, name, signature, OCSP response, `sub`, browser binding, start secrets) is deleted. At least `INTERACTION_TTL_S` + `SESSION_TTL_S` + 60 + `ACCESS_TOKEN_TTL_S`: until then a login can still issue tokens whose claims come from the order. Refresh tokens stop working after it. See docs/privacy.md.' },
  { name: 'ORDER_RECORD_RETENTION_DAYS', schema: count, default: '90', description: 'Days after a BankID order ends until its remaining record (client, certificate, method, status codes, times, BankID\'s orderRef) is deleted.' },
  { name: 'LEDGER_RETENTION_MONTHS', schema: count, default: '24', description: 'Whole months (in each tenant\'s time zone) the usage ledger keeps one row per BankID order; older rows are folded into daily totals per client, certificate and outcome, which are kept (unique persons and completion times of those months are not). See docs/usage.md.' },
  { name: 'USERINFO_SIGNING_ALG', schema: z.enum(['RS256', 'ES256']), default: 'RS256', description: 'How userinfo responses are signed (the Swedish profile requires signed userinfo) for clients that do not register their own `userinfo_signed_response_alg`.' },
  { name: 'ALLOW_PRIVATE_RP_ADDRESSES', schema: bool, default: 'false', description: 'Let the broker call relying parties on loopback, private or other special-use addresses (back-channel logout, `jwks_uri`). For tests and closed networks only; refused with `NODE_ENV=production`.' },
  { name: 'JWKS_FILE', schema: z.string().min(1), description: 'Operator-supplied private JWK Set (JSON) for signing. Unset: keys are generated and kept in the database.' },
  { name: 'ADMIN_BOOTSTRAP_TOKEN', schema: z.string().min(32), secret: true, description: 'A token (32+ characters) that the admin API (`/admin/api`) accepts with full rights, for first setup: register the first admin client with it, then unset it. Unset: disabled. Compared as a hash in constant time; each use is audited as `bootstrap`.' },
  { name: 'CLIENT_SECRET_GRACE_S', schema: z.coerce.number().int().min(0).max(30 * 24 * 3600), default: '86400', description: 'After a client secret rotation (admin API), how long the old secret is still accepted, so the client can switch over without downtime. A rotation may ask for less or more (at most 30 days).' },
  { name: 'DYNAMIC_CLIENT_REGISTRATION', schema: bool, default: 'false', description: 'Dynamic client registration (RFC 7591/7592) at `/reg`, for tenants that want self-service: a registration needs an initial access token an admin issued for one tenant (`POST /admin/api/tenants/{id}/initial-access-tokens`); the client lands in that tenant, within its policy. See docs/admin-api.md.' },
  { name: 'REGISTRATION_ACCESS_TOKEN_TTL_S', schema: z.coerce.number().int().min(60).max(365 * 24 * 3600), default: '2592000', description: 'With `DYNAMIC_CLIENT_REGISTRATION`: how long the registration access token a registered client gets lets it read, replace or delete itself (RFC 7592). Each replacement (`PUT`) answers with a new token for as long again and ends the old one; a client whose token has expired is managed by an admin from then on (admin API, console, CLI).' },
  { name: 'CONSOLE_IDLE_TIMEOUT_S', schema: z.coerce.number().int().min(60).max(8 * 3600), default: '900', description: 'The admin console (`/admin`) signs a person out after this many seconds without a request (the cookie itself always ends with the browser).' },
  { name: 'CONSOLE_REAUTH_S', schema: z.coerce.number().int().min(0).max(3600), default: '300', description: 'Certificate activation and rollback and changes of console admins need a BankID sign-in at most this many seconds old; an older one is asked to sign in again first.' },
  { name: 'BRYGGA_URL', schema: url, description: 'CLI only: the base URL of a running broker whose admin API `brygga clients|tenants|certificates|admins|initial-access-tokens …` use instead of the database (same as `--url`).' },
  { name: 'BRYGGA_TOKEN', schema: z.string().min(1), secret: true, description: 'CLI only: the bearer token for `BRYGGA_URL` (same as `--token`): an access token of an admin client, or the bootstrap token.' },
] as const satisfies readonly Variable[];

export type VariableName = (typeof variables)[number]['name'];
