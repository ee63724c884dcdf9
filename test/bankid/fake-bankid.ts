/** A scripted HTTPS server demanding a client certificate, standing in for BankID in the client's unit tests. */
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Issued } from '../../src/simulator/pki.ts';

export interface SeenRequest {
  method: string;
  path: string;
  contentType: string | undefined;
  /** The W3C trace context the call carried, if any. */
  traceparent: string | undefined;
  body: string;
  json: Record<string, unknown>;
  /** SHA-256 fingerprint (colon hex) of the client certificate the TLS handshake presented. */
  clientFingerprint: string;
  /** The client's port: which connection the request came on. */
  clientPort: number;
}

export interface Reply {
  status?: number;
  /** JSON-encoded unless a string. */
  body?: unknown;
  /** Never answer; the connection stays open until the client or reset() closes it. */
  hold?: boolean;
  /** Send the status line and headers, then never the body. */
  stallBody?: boolean;
  /** Drop the connection instead of answering. */
  hangUp?: boolean;
  /** Answer 200 with this many bytes, announced in Content-Length or (not `declared`) streamed chunked. */
  oversized?: { bytes: number; declared: boolean };
}

export interface FakeBankId {
  baseUrl: string;
  /** Requests whose body arrived. */
  seen: SeenRequest[];
  /** Decides the answer to each request; the default answers 200 {}. */
  reply: (request: SeenRequest) => Reply;
  /** Bytes of oversized bodies handed to connections so far. */
  written: number;
  /** Open client connections. */
  open(): number;
  /** Resolves once no client connection is open. */
  idle(): Promise<void>;
  /** Stops listening and drops every connection. */
  close(): Promise<void>;
}

const CHUNK = Buffer.alloc(64 * 1024, ' ');

export async function startFakeBankId(options: { server: Issued; clientCa: Issued; host?: string }): Promise<FakeBankId> {
  const sockets = new Set<Socket>();
  let server: Server;
  const fake: FakeBankId = {
    baseUrl: '',
    seen: [],
    reply: () => ({ body: {} }),
    written: 0,
    open: () => sockets.size,
    async idle() {
      // Waits on each socket's own close event: as many waits as sockets were open, no polling.
      // (events.once would reject on the 'error' a reset socket emits before it closes.)
      for (const socket of [...sockets]) if (sockets.has(socket)) await new Promise((resolve) => socket.once('close', resolve));
    },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
  server = createServer({ key: options.server.keyPem, cert: options.server.certPem, ca: options.clientCa.certPem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: Record<string, unknown> = {};
      try { json = JSON.parse(body) as Record<string, unknown>; } catch { /* kept as text */ }
      const seen: SeenRequest = {
        method: req.method!, path: req.url!, contentType: req.headers['content-type'], traceparent: req.headers.traceparent as string | undefined, body, json,
        clientFingerprint: (req.socket as TLSSocket).getPeerCertificate().fingerprint256,
        clientPort: req.socket.remotePort!,
      };
      fake.seen.push(seen);
      void answer(fake, fake.reply(seen), res);
    });
  });
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  fake.baseUrl = `https://${host}:${(server.address() as AddressInfo).port}/rp/v6.0/`;
  return fake;
}

async function answer(fake: FakeBankId, reply: Reply, res: ServerResponse): Promise<void> {
  if (reply.hangUp) return void res.socket!.destroy();
  if (reply.hold) return;
  if (reply.oversized) return flood(fake, reply.oversized, res);
  res.writeHead(reply.status ?? 200, { 'Content-Type': 'application/json' });
  if (reply.stallBody) return void res.flushHeaders();
  res.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {}));
}

/** Writes the oversized body with backpressure until done or the client closes the connection. */
async function flood(fake: FakeBankId, { bytes, declared }: NonNullable<Reply['oversized']>, res: ServerResponse): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'application/json', ...(declared ? { 'Content-Length': bytes } : {}) });
  const closed = new AbortController();
  res.on('close', () => closed.abort());
  for (let sent = 0; sent < bytes && !closed.signal.aborted; sent += CHUNK.length) {
    const chunk = CHUNK.subarray(0, Math.min(CHUNK.length, bytes - sent));
    fake.written += chunk.length;
    if (!res.write(chunk)) await once(res, 'drain', { signal: closed.signal }).catch(() => undefined);
  }
  if (!closed.signal.aborted) res.end();
}
