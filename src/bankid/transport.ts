/**
 * HTTPS with mutual TLS to the RP API: the RP certificate as client certificate, BankID's SSL root
 * pinned as the only trust anchor (rp-api-v6.md §1.3–§1.4), hostname verification left on.
 */
import { createHash } from 'node:crypto';
import type { ClientRequest } from 'node:http';
import { Agent, request } from 'node:https';
import type { RpCertificate } from './certificate.ts';
import { BankIdAbortedError, BankIdConnectionError, BankIdResponseTooLargeError, BankIdTimeoutError } from './errors.ts';

/**
 * Keep-alive agents by RP certificate fingerprint, then by CA: a broker holding several FP certificates gets one
 * pool each, and a renewed certificate (new fingerprint) gets fresh connections instead of reusing the old identity.
 */
const agents = new Map<string, Map<string, Agent>>();

/** The pooled agent for this certificate and CA, created on first use (again after releaseAgent). */
export function agentFor(certificate: RpCertificate, caPem: string): Agent {
  const caKey = createHash('sha256').update(caPem).digest('hex');
  let byCa = agents.get(certificate.fingerprint);
  if (!byCa) agents.set(certificate.fingerprint, (byCa = new Map()));
  let agent = byCa.get(caKey);
  if (!agent) {
    agent = new Agent({
      keepAlive: true,
      cert: [certificate.certPem, ...certificate.chainPem].join('\n'),
      key: certificate.keyPem,
      // Replaces Node's bundled roots: only BankID's (or the simulator's) root is trusted.
      ca: caPem,
      minVersion: 'TLSv1.2',
    });
    byCa.set(caKey, agent);
  }
  return agent;
}

/** Closes the pools of a retired certificate and their sockets; returns how many pools were closed. */
export function releaseAgent(certificate: Pick<RpCertificate, 'fingerprint'>): number {
  const byCa = agents.get(certificate.fingerprint);
  agents.delete(certificate.fingerprint);
  for (const agent of byCa?.values() ?? []) agent.destroy();
  return byCa?.size ?? 0;
}

/** Closes every pooled connection; for shutdown and tests. */
export function closeAgents(): void {
  for (const fingerprint of [...agents.keys()]) releaseAgent({ fingerprint });
}

/** What a write on a connection the server already closed fails with. */
const STALE_SOCKET: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE']);

/** Completion data with signature and OCSP response is about 20 KB; nothing BankID sends comes near this. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

export interface HttpResult {
  status: number;
  /** The raw response text; parsing is the caller's business. */
  body: string;
}

export interface PostOptions {
  agent: Agent;
  timeoutMs: number;
  signal?: AbortSignal;
  /** More request headers (trace context). */
  headers?: Record<string, string>;
  /** The call may reach BankID twice (collect, cancel): a connection that fails before the answer is tried once more. */
  replayable?: boolean;
}

/**
 * POSTs a JSON body and resolves with any HTTP answer, error statuses included.
 * Rejects with BankIdAbortedError when the caller aborts, BankIdTimeoutError after timeoutMs,
 * BankIdResponseTooLargeError past MAX_RESPONSE_BYTES, and BankIdConnectionError when no answer arrives (after the
 * one replay a connection failure may get).
 */
export function postJson(url: URL, body: unknown, options: PostOptions): Promise<HttpResult> {
  const payload = Buffer.from(JSON.stringify(body), 'utf8');
  return new Promise((resolveCall, rejectCall) => {
    // A timer and a listener of this call's own, both gone when it settles: AbortSignal.timeout and AbortSignal.any
    // would leave a timer, weak references and their cells behind for timeoutMs after every call, and every waiting
    // person's order is collected every 2 s (about 6 KB per waiting person).
    const { signal: caller } = options;
    const abort = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort(new DOMException(`BankID did not answer within ${options.timeoutMs} ms`, 'TimeoutError'));
    }, options.timeoutMs);
    const callerAborted = () => abort.abort(caller!.reason);
    if (caller?.aborted) callerAborted();
    else caller?.addEventListener('abort', callerAborted, { once: true });
    const settled = () => {
      clearTimeout(timer);
      caller?.removeEventListener('abort', callerAborted);
    };
    const resolve = (result: HttpResult) => { settled(); resolveCall(result); };
    const reject = (err: Error) => { settled(); rejectCall(err); };
    const fail = (cause: unknown) => {
      if (caller?.aborted) reject(new BankIdAbortedError(`The call to ${url.pathname} was aborted`, { cause: caller.reason }));
      else if (timedOut) reject(new BankIdTimeoutError(`BankID did not answer ${url.pathname} within ${options.timeoutMs} ms`, { cause }));
      else reject(new BankIdConnectionError(`BankID unreachable at ${url.host}: ${(cause as Error).message}`, { cause }));
    };
    let req: ClientRequest;
    const tooLarge = (size: string) => {
      // Destroying the request closes the socket: the rest of the body is never read, and the agent cannot reuse it.
      req.destroy();
      reject(new BankIdResponseTooLargeError(`BankID's answer to ${url.pathname} is ${size}, over the ${MAX_RESPONSE_BYTES} bytes accepted`));
    };
    const send = (replay: boolean) => {
      let answered = false;
      const sent = request(url, {
        method: 'POST',
        agent: options.agent,
        signal: abort.signal,
        // Exactly application/json: a charset parameter makes BankID answer 415 unsupportedMediaType.
        headers: { ...options.headers, 'Content-Type': 'application/json', 'Content-Length': payload.length, Accept: 'application/json' },
      }, (res) => {
        answered = true;
        const declared = Number(res.headers['content-length']);
        if (declared > MAX_RESPONSE_BYTES) return tooLarge(`${declared} bytes`);
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) return tooLarge('longer');
          chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', fail);
        res.on('close', () => { if (!res.complete) fail(new Error('connection closed before the response was complete')); });
      });
      req = sent;
      sent.on('error', (err: NodeJS.ErrnoException) => {
        // Besides a call that may be sent twice, one that met a kept-alive connection the server closed while it sat
        // idle (the request met the close, not the server) is sent once more, order starts too (see client.ts), on a
        // new connection: the pool's other idle connections are as old, so they go first.
        const stale = sent.reusedSocket && STALE_SOCKET.has(err.code ?? '');
        if (replay || answered || !(options.replayable || stale) || caller?.aborted || timedOut) return fail(err);
        for (const idle of Object.values(options.agent.freeSockets).flat()) idle?.destroy();
        send(true);
      });
      sent.end(payload);
    };
    send(false);
  });
}
