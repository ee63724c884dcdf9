/** Small HTTP helpers both simulator servers share: a bounded body reader and JSON replies. */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** Past the limit the body is still read (so the reply reaches the client) up to this factor, then cut. */
const DRAIN_FACTOR = 8;

export interface Body {
  bytes: Buffer;
  tooLarge: boolean;
}

/** Reads the whole request body, keeping at most `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Body> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > limit * DRAIN_FACTOR) req.destroy(new Error('request body far too large'));
    });
    req.on('end', () => resolve({ bytes: Buffer.concat(chunks), tooLarge: size > limit }));
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new Error('request aborted'));
    });
  });
}

/** The request target as a URL, or undefined unless it is a path (`*` and absolute forms are not for us). */
export function requestTarget(req: IncomingMessage): URL | undefined {
  if (!req.url?.startsWith('/')) return undefined;
  try {
    // Prefixing keeps `//x` a path instead of a host.
    return new URL(`http://localhost${req.url}`);
  } catch {
    return undefined;
  }
}

/** The media type without parameters, lower-cased; '' when absent. */
export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  res.end(text);
}

/** Both listeners close with their open connections, so a stop never waits on a client's keep-alive. */
export function closeServer(server: Pick<Server, 'close' | 'closeAllConnections'>): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
