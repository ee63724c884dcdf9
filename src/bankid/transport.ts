/**
 * HTTPS with mutual TLS to the RP API: the RP certificate as client certificate, BankID's SSL root
 * pinned as the only trust anchor (rp-api-v6.md §1.3–§1.4), hostname verification left on.
 */
import { createHash } from 'node:crypto';
import { Agent, request } from 'node:https';
import type { RpCertificate } from './certificate.ts';
import { BankIdTimeoutError, BankIdTransportError } from './errors.ts';

/**
 * One keep-alive agent per (RP certificate, CA): a broker holding several FP certificates gets one pool each,
 * and a renewed certificate (new fingerprint) gets fresh connections instead of reusing the old identity.
 */
const agents = new Map<string, Agent>();

export function agentFor(certificate: RpCertificate, caPem: string): Agent {
  const key = `${certificate.fingerprint}:${createHash('sha256').update(caPem).digest('hex')}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = new Agent({
      keepAlive: true,
      cert: [certificate.certPem, ...certificate.chainPem].join('\n'),
      key: certificate.keyPem,
      // Replaces Node's bundled roots: only BankID's (or the simulator's) root is trusted.
      ca: caPem,
      minVersion: 'TLSv1.2',
    });
    agents.set(key, agent);
  }
  return agent;
}

/** Closes every pooled connection; for shutdown and tests. */
export function closeAgents(): void {
  for (const agent of agents.values()) agent.destroy();
  agents.clear();
}

export interface HttpResult {
  status: number;
  /** The raw response text; parsing is the caller's business. */
  body: string;
}

export interface PostOptions {
  agent: Agent;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * POSTs a JSON body and resolves with any HTTP answer, error statuses included.
 * Rejects with BankIdTimeoutError after timeoutMs, BankIdTransportError when no answer arrives,
 * and with the caller's own abort reason when the caller aborts.
 */
export function postJson(url: URL, body: unknown, options: PostOptions): Promise<HttpResult> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  const payload = Buffer.from(JSON.stringify(body), 'utf8');
  return new Promise((resolve, reject) => {
    const fail = (cause: unknown) => {
      if (options.signal?.aborted) reject(options.signal.reason);
      else if (timeout.aborted) reject(new BankIdTimeoutError(`BankID did not answer ${url.pathname} within ${options.timeoutMs} ms`, { cause }));
      else reject(new BankIdTransportError(`BankID unreachable at ${url.host}: ${(cause as Error).message}`, { cause }));
    };
    const req = request(url, {
      method: 'POST',
      agent: options.agent,
      signal,
      // Exactly application/json: a charset parameter makes BankID answer 415 unsupportedMediaType.
      headers: { 'Content-Type': 'application/json', 'Content-Length': payload.length, Accept: 'application/json' },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', fail);
      res.on('close', () => { if (!res.complete) fail(new Error('connection closed before the response was complete')); });
    });
    req.on('error', fail);
    req.end(payload);
  });
}
