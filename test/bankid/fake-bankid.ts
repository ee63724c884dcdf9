/** A scripted HTTPS server demanding a client certificate, standing in for BankID in the client's unit tests. */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Issued } from '../../src/simulator/pki.ts';

export interface SeenRequest {
  method: string;
  path: string;
  contentType: string | undefined;
  body: string;
  json: Record<string, unknown>;
  /** SHA-256 fingerprint (colon hex) of the client certificate the TLS handshake presented. */
  clientFingerprint: string;
}

export interface Reply {
  status?: number;
  /** JSON-encoded unless a string. */
  body?: unknown;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Send the status line and headers, then stall this long before the body. */
  stallBodyMs?: number;
  /** Drop the connection instead of answering. */
  hangUp?: boolean;
}

export interface FakeBankId {
  baseUrl: string;
  seen: SeenRequest[];
  /** Decides the answer to each request; the default answers 200 {}. */
  reply: (request: SeenRequest) => Reply;
  close(): Promise<void>;
}

export async function startFakeBankId(options: { server: Issued; clientCa: Issued; host?: string }): Promise<FakeBankId> {
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => { timers.delete(timer); run(); }, ms);
    timers.add(timer);
  };
  const fake: FakeBankId = { baseUrl: '', seen: [], reply: () => ({ body: {} }), close: async () => {} };
  const server: Server = createServer({ key: options.server.keyPem, cert: options.server.certPem, ca: options.clientCa.certPem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: Record<string, unknown> = {};
      try { json = JSON.parse(body) as Record<string, unknown>; } catch { /* kept as text */ }
      const seen: SeenRequest = {
        method: req.method ?? '', path: req.url ?? '', contentType: req.headers['content-type'], body, json,
        clientFingerprint: (req.socket as TLSSocket).getPeerCertificate().fingerprint256,
      };
      fake.seen.push(seen);
      const reply = fake.reply(seen);
      if (reply.hangUp) { req.socket.destroy(); return; }
      const payload = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
      later(reply.delayMs ?? 0, () => {
        res.writeHead(reply.status ?? 200, { 'Content-Type': 'application/json' });
        if (reply.stallBodyMs) { res.flushHeaders(); later(reply.stallBodyMs, () => res.end(payload)); } else res.end(payload);
      });
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  fake.baseUrl = `https://${host}:${(server.address() as AddressInfo).port}/rp/v6.0/`;
  fake.close = () => new Promise((resolve) => {
    for (const timer of timers) clearTimeout(timer);
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return fake;
}
