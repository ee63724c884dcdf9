import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { variables, type VariableName } from './variables.ts';

type Raw = { [V in (typeof variables)[number] as V['name']]: z.output<V['schema']> | undefined };

/** A setting is wrong; the message names the variable so the operator knows what to fix. */
export class ConfigError extends Error {
  readonly problems: { variable: string; message: string }[];
  constructor(problems: { variable: string; message: string }[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export type BankIdEnvironment = 'production' | 'test' | 'simulator';

export interface Config {
  env: 'development' | 'production' | 'test';
  demo: boolean;
  autoMigrate: boolean;
  /** `auditFile`: AUDIT_LOG_FILE, where the login audit trail is appended; unset, it goes with the log lines. */
  log: { level: string; format: 'json' | 'pretty'; auditFile?: string };
  http: { host: string; port: number; metricsPort: number; shutdownGraceMs: number; headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number; issuer: string; trustProxy: boolean; proxyHops: number; allowedHosts: string[]; maxEventStreams: number };
  database: { url?: string; dataDir: string; connectTimeoutMs: number; statementTimeoutMs: number };
  bankid: {
    environment: BankIdEnvironment;
    apiUrl?: string;
    certFile?: string;
    certPassphrase?: string;
    certPemFile?: string;
    keyPemFile?: string;
    caFile?: string;
    /** The BankID user root(s) completions are verified against. */
    userRootCaFile?: string;
    timeoutMs: number;
    maintenanceRetries: number;
    collectIntervalMs: number;
    collectConcurrency: number;
  };
  simulator: {
    host: string;
    port: number;
    controlPort: number;
    certsDir: string;
    p12Passphrase: string;
    autoApproveMs?: number;
    startTimeoutS: number;
    orderTtlS: number;
  };
  oidc: {
    sessionTtlS: number;
    interactionTtlS: number;
    idTokenTtlS: number;
    accessTokenTtlS: number;
    subjectSecret?: string;
    encryptionKey?: string;
    acr: string;
    /** What discovery advertises and logins may assert: ACR first. */
    acrSupported: string[];
    jwksFile?: string;
    userinfoSigningAlg: 'RS256' | 'ES256';
    allowPrivateRpAddresses: boolean;
  };
  limits: {
    startsPerIpPerMinute: number;
    startsPerInteraction: number;
    startsPerClientPerMinute: number;
    authPerIpPerMinute: number;
    paramMaxBytes: number;
    largeParamMaxBytes: number;
    requestMaxBytes: number;
  };
  admin: {
    /** ADMIN_BOOTSTRAP_TOKEN; undefined when bootstrap access is off. */
    bootstrapToken?: string;
    secretGraceS: number;
    /** DYNAMIC_CLIENT_REGISTRATION: RFC 7591/7592 at /reg, gated by per-tenant initial access tokens. */
    dynamicRegistration: boolean;
    /** REGISTRATION_ACCESS_TOKEN_TTL_S: how long a registered client may manage itself without a replacement. */
    registrationAccessTokenTtlS: number;
  };
  /** The admin console (src/console). */
  console: { idleTimeoutS: number; reauthS: number };
  /** Where the CLI finds a running broker's admin API (BRYGGA_URL, BRYGGA_TOKEN). */
  cli: { url?: string; token?: string };
  /** Admission control (src/limits/admission.ts). */
  busy: {
    maxInFlight: number;
    maxQueued: number;
    maxWaitMs: number;
  };
  retention: {
    /** Seconds after an order ended until its personal data is deleted. */
    orderDataS: number;
    /** Seconds after an order ended until the rest of its row is deleted. */
    orderRecordS: number;
    /** Whole months the usage ledger keeps its rows before folding them into daily totals. */
    ledgerMonths: number;
  };
}

/** oidc-provider's `ttl.AuthorizationCode` (src/oidc/provider.ts): a code outlives the session by at most this. */
const AUTHORIZATION_CODE_TTL_S = 60;
const DAY_S = 24 * 60 * 60;

export type Env = Record<string, string | undefined>;

function readRaw(env: Env): { raw: Raw; problems: ConfigError['problems'] } {
  const problems: ConfigError['problems'] = [];
  const known = new Set<string>(variables.flatMap((v) => [v.name, `${v.name}_FILE`]));
  const raw: Record<string, unknown> = {};
  for (const v of variables) {
    let text = env[v.name];
    const fileVar = `${v.name}_FILE`;
    if ('secret' in v && v.secret && env[fileVar] !== undefined) {
      if (text !== undefined) {
        problems.push({ variable: v.name, message: `set either ${v.name} or ${fileVar}, not both` });
        continue;
      }
      try {
        text = readFileSync(env[fileVar]!, 'utf8').trim();
      } catch (err) {
        problems.push({ variable: fileVar, message: `cannot read ${env[fileVar]}: ${(err as Error).message}` });
        continue;
      }
    }
    if (text === '' ) text = undefined;
    text ??= 'default' in v ? v.default : undefined;
    if (text === undefined) continue;
    const parsed = v.schema.safeParse(text);
    if (parsed.success) raw[v.name] = parsed.data;
    else problems.push({ variable: v.name, message: `${parsed.error.issues.map((i) => i.message).join('; ')} (got ${'secret' in v && v.secret ? 'a hidden value' : JSON.stringify(text)})` });
  }
  // Catch typos such as BANKID_CERTFILE: a Brygga-looking variable we do not know is an error, not silence.
  for (const name of Object.keys(env)) {
    if (/^(BANKID|SIMULATOR|RATE_LIMIT)_/.test(name) && !known.has(name)) problems.push({ variable: name, message: 'unknown setting (see the configuration table in README.md)' });
  }
  return { raw: raw as Raw, problems };
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** https, or http on a loopback host, which browsers treat as a secure context (Secure cookies are kept there). */
export function isSecureOrigin(url: URL): boolean {
  return url.protocol === 'https:' || LOOPBACK_HOSTS.has(url.hostname);
}

/** Parses and validates the environment once; throws ConfigError naming every wrong variable. */
export function loadConfig(env: Env = process.env): Config {
  const { raw, problems } = readRaw(env);
  const need = (name: VariableName, message: string) => problems.push({ variable: name, message });
  if (problems.length) throw new ConfigError(problems);

  const nodeEnv = raw.NODE_ENV!;
  const bankidEnv = raw.BANKID_ENV!;
  const demo = raw.DEMO ?? (nodeEnv !== 'production' && bankidEnv === 'simulator');
  if (demo && nodeEnv === 'production') need('DEMO', 'demo mode cannot run with NODE_ENV=production');
  const port = raw.PORT!;
  const issuer = (raw.ISSUER ?? `http://localhost:${port}`).replace(/\/$/, '');
  const simulatorCertsDir = raw.SIMULATOR_CERTS_DIR!;
  if (!isSecureOrigin(new URL(issuer))) need('ISSUER', 'must be an https URL (http only on localhost): browsers keep the SameSite=None session cookie only when it is Secure');
  if (raw.HTTP_HEADERS_TIMEOUT_MS! > raw.HTTP_REQUEST_TIMEOUT_MS!) need('HTTP_HEADERS_TIMEOUT_MS', 'must not be more than HTTP_REQUEST_TIMEOUT_MS (the headers are part of the request)');
  if (raw.ALLOW_PRIVATE_RP_ADDRESSES && nodeEnv === 'production') need('ALLOW_PRIVATE_RP_ADDRESSES', 'cannot be on with NODE_ENV=production: it lifts the guard against requests to internal addresses (SSRF)');

  if (bankidEnv !== 'simulator') {
    if (!raw.BANKID_CA_FILE) need('BANKID_CA_FILE', `required for BANKID_ENV=${bankidEnv}: the PEM of BankID's SSL root CA for that environment`);
    if (!raw.BANKID_USER_ROOT_CA_FILE) need('BANKID_USER_ROOT_CA_FILE', `required for BANKID_ENV=${bankidEnv}: the PEM of BankID's user root CA for that environment, which every completion's signature must chain to`);
    if (!raw.BANKID_CERT_FILE && !raw.BANKID_CERT_PEM_FILE) need('BANKID_CERT_FILE', `required for BANKID_ENV=${bankidEnv}: your FP certificate (PKCS#12), or BANKID_CERT_PEM_FILE with BANKID_KEY_PEM_FILE`);
  }
  if (raw.BANKID_CERT_FILE && raw.BANKID_CERT_PEM_FILE) need('BANKID_CERT_PEM_FILE', 'set either BANKID_CERT_FILE (PKCS#12) or BANKID_CERT_PEM_FILE, not both');
  if (Boolean(raw.BANKID_CERT_PEM_FILE) !== Boolean(raw.BANKID_KEY_PEM_FILE)) need('BANKID_KEY_PEM_FILE', 'BANKID_CERT_PEM_FILE and BANKID_KEY_PEM_FILE go together');
  if (!demo) {
    if (!raw.SUBJECT_SECRET) need('SUBJECT_SECRET', 'required outside demo mode (32+ random characters)');
    if (!raw.ENCRYPTION_KEY) need('ENCRYPTION_KEY', 'required outside demo mode (64 hex characters)');
  }
  // Tokens from a login read the person's claims from its order: the login ends within the interaction, its session
  // can mint codes until SESSION_TTL_S later, and what a code yields is used until the tokens expire.
  const minRetentionS = raw.INTERACTION_TTL_S! + raw.SESSION_TTL_S! + AUTHORIZATION_CODE_TTL_S + Math.max(raw.ID_TOKEN_TTL_S!, raw.ACCESS_TOKEN_TTL_S!);
  if (raw.ORDER_DATA_RETENTION_S! < minRetentionS) {
    need('ORDER_DATA_RETENTION_S', `must be at least ${minRetentionS} s (INTERACTION_TTL_S + SESSION_TTL_S + 60 s for the authorization code + the longer of ID_TOKEN_TTL_S and ACCESS_TOKEN_TTL_S): until then tokens from a login still need the person's data`);
  }
  if (raw.ORDER_RECORD_RETENTION_DAYS! * DAY_S < raw.ORDER_DATA_RETENTION_S!) need('ORDER_RECORD_RETENTION_DAYS', 'must not end before ORDER_DATA_RETENTION_S');
  if (raw.AUTH_LARGE_PARAM_MAX_BYTES! < raw.AUTH_PARAM_MAX_BYTES!) need('AUTH_LARGE_PARAM_MAX_BYTES', 'must be at least AUTH_PARAM_MAX_BYTES');
  if (raw.AUTH_REQUEST_MAX_BYTES! < raw.AUTH_LARGE_PARAM_MAX_BYTES!) need('AUTH_REQUEST_MAX_BYTES', 'must be at least AUTH_LARGE_PARAM_MAX_BYTES');
  const acrSupported = [raw.ACR!, ...(raw.ACR_SUPPORTED ?? []).filter((acr) => acr !== raw.ACR)];
  if (raw.ACR_SUPPORTED && !raw.ACR_SUPPORTED.includes(raw.ACR!)) need('ACR_SUPPORTED', `must include ACR (${raw.ACR})`);
  if (problems.length) throw new ConfigError(problems);

  const simulated = bankidEnv === 'simulator';
  return {
    env: nodeEnv,
    demo,
    autoMigrate: raw.AUTO_MIGRATE ?? demo,
    log: { level: raw.LOG_LEVEL!, format: raw.LOG_FORMAT ?? (nodeEnv === 'production' ? 'json' : 'pretty'), auditFile: raw.AUDIT_LOG_FILE },
    http: {
      host: raw.HOST!,
      port,
      metricsPort: raw.METRICS_PORT!,
      shutdownGraceMs: raw.SHUTDOWN_GRACE_MS!,
      headersTimeoutMs: raw.HTTP_HEADERS_TIMEOUT_MS!,
      requestTimeoutMs: raw.HTTP_REQUEST_TIMEOUT_MS!,
      keepAliveTimeoutMs: raw.HTTP_KEEP_ALIVE_TIMEOUT_MS!,
      issuer,
      trustProxy: raw.TRUST_PROXY!,
      proxyHops: raw.PROXY_HOPS!,
      allowedHosts: raw.ALLOWED_HOSTS ?? [new URL(issuer).host],
      maxEventStreams: raw.EVENT_STREAMS_MAX!,
    },
    database: { url: raw.DATABASE_URL, dataDir: raw.DATA_DIR!, connectTimeoutMs: raw.DATABASE_CONNECT_TIMEOUT_MS!, statementTimeoutMs: raw.DATABASE_STATEMENT_TIMEOUT_MS! },
    bankid: {
      environment: bankidEnv,
      apiUrl: raw.BANKID_API_URL,
      certFile: raw.BANKID_CERT_FILE ?? (simulated && !raw.BANKID_CERT_PEM_FILE ? join(simulatorCertsDir, 'rp.p12') : undefined),
      certPassphrase: raw.BANKID_CERT_PASSPHRASE ?? (simulated ? raw.SIMULATOR_P12_PASSPHRASE : undefined),
      certPemFile: raw.BANKID_CERT_PEM_FILE,
      keyPemFile: raw.BANKID_KEY_PEM_FILE,
      caFile: raw.BANKID_CA_FILE ?? (simulated ? join(simulatorCertsDir, 'ca.pem') : undefined),
      userRootCaFile: raw.BANKID_USER_ROOT_CA_FILE ?? (simulated ? join(simulatorCertsDir, 'user-root-ca.pem') : undefined),
      timeoutMs: raw.BANKID_TIMEOUT_MS!,
      maintenanceRetries: raw.BANKID_MAINTENANCE_RETRIES!,
      collectIntervalMs: raw.BANKID_COLLECT_INTERVAL_MS!,
      collectConcurrency: raw.BANKID_COLLECT_CONCURRENCY!,
    },
    simulator: {
      host: raw.SIMULATOR_HOST!,
      port: raw.SIMULATOR_PORT!,
      controlPort: raw.SIMULATOR_CONTROL_PORT!,
      certsDir: simulatorCertsDir,
      p12Passphrase: raw.SIMULATOR_P12_PASSPHRASE!,
      autoApproveMs: raw.SIMULATOR_AUTO_APPROVE,
      startTimeoutS: raw.SIMULATOR_START_TIMEOUT_S!,
      orderTtlS: raw.SIMULATOR_ORDER_TTL_S!,
    },
    oidc: {
      sessionTtlS: raw.SESSION_TTL_S!,
      interactionTtlS: raw.INTERACTION_TTL_S!,
      idTokenTtlS: raw.ID_TOKEN_TTL_S!,
      accessTokenTtlS: raw.ACCESS_TOKEN_TTL_S!,
      subjectSecret: raw.SUBJECT_SECRET,
      encryptionKey: raw.ENCRYPTION_KEY,
      acr: raw.ACR!,
      acrSupported,
      jwksFile: raw.JWKS_FILE,
      userinfoSigningAlg: raw.USERINFO_SIGNING_ALG!,
      allowPrivateRpAddresses: raw.ALLOW_PRIVATE_RP_ADDRESSES!,
    },
    limits: {
      startsPerIpPerMinute: raw.RATE_LIMIT_STARTS_PER_IP_PER_MINUTE!,
      startsPerInteraction: raw.RATE_LIMIT_STARTS_PER_INTERACTION!,
      startsPerClientPerMinute: raw.RATE_LIMIT_STARTS_PER_CLIENT_PER_MINUTE!,
      authPerIpPerMinute: raw.RATE_LIMIT_AUTH_PER_IP_PER_MINUTE!,
      paramMaxBytes: raw.AUTH_PARAM_MAX_BYTES!,
      largeParamMaxBytes: raw.AUTH_LARGE_PARAM_MAX_BYTES!,
      requestMaxBytes: raw.AUTH_REQUEST_MAX_BYTES!,
    },
    admin: { bootstrapToken: raw.ADMIN_BOOTSTRAP_TOKEN, secretGraceS: raw.CLIENT_SECRET_GRACE_S!, dynamicRegistration: raw.DYNAMIC_CLIENT_REGISTRATION!, registrationAccessTokenTtlS: raw.REGISTRATION_ACCESS_TOKEN_TTL_S! },
    console: { idleTimeoutS: raw.CONSOLE_IDLE_TIMEOUT_S!, reauthS: raw.CONSOLE_REAUTH_S! },
    cli: { url: raw.BRYGGA_URL?.replace(/\/$/, ''), token: raw.BRYGGA_TOKEN },
    busy: {
      maxInFlight: raw.BUSY_MAX_IN_FLIGHT!,
      maxQueued: raw.BUSY_MAX_QUEUED!,
      maxWaitMs: raw.BUSY_MAX_WAIT_MS!,
    },
    retention: {
      orderDataS: raw.ORDER_DATA_RETENTION_S!,
      orderRecordS: raw.ORDER_RECORD_RETENTION_DAYS! * DAY_S,
      ledgerMonths: raw.LEDGER_RETENTION_MONTHS!,
    },
  };
}
