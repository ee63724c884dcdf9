/**
 * The BankID simulator: BankID's RP API v6.0 over mutual TLS, backed by simulated orders, users and PKI,
 * plus a control API and app page to play the user's side. Used by the broker's demo mode and by tests.
 */
import { isIP, type AddressInfo, type Server } from 'node:net';
import type { Logger } from '../observability/logger.ts';
import { ensureCertificates } from './certs.ts';
import { createCompleter } from './completion.ts';
import { createControlServer } from './control-server.ts';
import { Faults } from './faults.ts';
import { closeServer } from './http.ts';
import { OrderBook } from './orders.ts';
import { API_PREFIX, createRpServer } from './rp-server.ts';
import { issueRpCertificate, type IssuedRpCertificate, type RpCertificateRequest } from './rp-issuer.ts';
import { RpRegistry } from './rp-registry.ts';

/** Settings come from the caller (the broker and `main.ts` pass `config.simulator`); defaults live in config/variables.ts. */
export interface SimulatorOptions {
  /** Address both ports bind to (SIMULATOR_HOST). */
  host: string;
  /** RP API port (HTTPS, mutual TLS); 0 or absent picks a free port. */
  port?: number;
  /** Control API and app page port (HTTP); 0 or absent picks a free port. */
  controlPort?: number;
  /** Where the CA, server, RP and user PKI files live; created on first start. */
  certsDir: string;
  /** Passphrase of `rp.p12` (SIMULATOR_P12_PASSPHRASE). */
  p12Passphrase: string;
  /** Approve every order by itself this many milliseconds after it was created. */
  autoApproveMs?: number;
  /** Seconds until an order nobody picked up fails with startFailed (SIMULATOR_START_TIMEOUT_S). */
  startTimeoutS: number;
  /** Seconds until a pending order fails with expiredTransaction (SIMULATOR_ORDER_TTL_S). */
  orderTtlS: number;
  logger?: Logger;
  /** The clock every timeout is measured against (milliseconds since the epoch). */
  now?: () => number;
}

export interface RunningSimulator {
  /** `https://localhost:{port}/rp/v6.0/` */
  apiUrl: string;
  /** `http://{host}:{controlPort}` */
  controlUrl: string;
  /** The server CA to pin (PEM file and text). */
  caFile: string;
  caPem: string;
  /** The RP client certificate (PKCS#12) and its passphrase. */
  rpP12File: string;
  rpP12Passphrase: string;
  /** Root of the simulated BankID user certificates: the anchor for completionData's chain. */
  userRootCaPem: string;
  /** A further RP certificate from the simulator's RP CA (another tenant's, an expired one, ...). */
  issueRpCertificate(request: RpCertificateRequest): IssuedRpCertificate;
  close(): Promise<void>;
}

/** How often pending orders are settled when nothing touches them; faster in auto-approve mode. */
const SWEEP_MS = 1000;

export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const { host, p12Passphrase: passphrase } = options;
  const now = options.now ?? Date.now;
  const { logger } = options;
  if (!isLoopback(host)) logger?.warn({ host }, 'the simulator control API lets anyone approve orders: bind it to a loopback address');

  const certs = ensureCertificates(options.certsDir, passphrase, logger);
  const book = new OrderBook({
    now,
    startTimeoutMs: options.startTimeoutS * 1000,
    ttlMs: options.orderTtlS * 1000,
    autoApproveMs: options.autoApproveMs,
    complete: createCompleter(certs, now),
    logger,
  });
  const faults = new Faults();
  const registry = new RpRegistry();
  const rpServer = createRpServer({ certs, book, faults, registry, logger });
  const controlServer = createControlServer({ book, faults, registry, logger });
  const close = () => Promise.all([closeServer(rpServer), closeServer(controlServer)]).then(() => undefined);
  let ports: [number, number];
  try {
    ports = [await listen(rpServer, options.port ?? 0, host), await listen(controlServer, options.controlPort ?? 0, host)];
  } catch (error) {
    await close();
    throw error;
  }
  const sweepMs = options.autoApproveMs === undefined ? SWEEP_MS : Math.min(SWEEP_MS, Math.max(20, options.autoApproveMs / 2));
  const sweeper = setInterval(() => book.sweep(), sweepMs).unref();

  return {
    apiUrl: `https://localhost:${ports[0]}${API_PREFIX}`,
    controlUrl: `http://${isIP(host) === 6 ? `[${host}]` : host}:${ports[1]}`,
    caFile: certs.files.ca,
    caPem: certs.serverCa.certPem,
    rpP12File: certs.files.rpP12,
    rpP12Passphrase: passphrase,
    userRootCaPem: certs.userRootCa.certPem,
    issueRpCertificate: (request) => issueRpCertificate(certs.rpCa, passphrase, request),
    close: () => {
      clearInterval(sweeper);
      return close();
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
