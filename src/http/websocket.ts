/**
 * The server's side of a WebSocket (RFC 6455) that only sends: the handshake, unmasked text frames out, and the
 * control frames a browser sends in (close, ping, pong). Node's HTTP server lets go of a connection's parser and
 * request state once it is upgraded, which a Server-Sent Events response keeps for its whole life (~23 KB per open
 * stream: docs/performance.md); that is all this is for.
 *
 * An upgrade request goes through the same koa app as any request: `acceptUpgrades` gives it a response on its
 * socket (for a refusal, written as HTTP), and a handler that wants the socket takes it with `takeUpgrade`.
 */
import { createHash } from 'node:crypto';
import { ServerResponse, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP_TEXT = 0x1;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;
/** A browser sends only control frames here (≤ 125 bytes); anything bigger ends the connection. */
const MAX_INCOMING_FRAME = 1024;
/** A peer that never answers our close is cut after this long. */
const CLOSE_TIMEOUT_MS = 5000;

interface Upgrade {
  socket: Socket;
  head: Buffer;
  taken: boolean;
}

const upgrades = new WeakMap<IncomingMessage, Upgrade>();

/** Whether a request asks for a WebSocket the way RFC 6455 requires (GET, version 13, a 16-byte key). */
function asksForWebSocket(req: IncomingMessage): boolean {
  const key = req.headers['sec-websocket-key'];
  return req.method === 'GET' && req.headers.upgrade?.toLowerCase() === 'websocket'
    && req.headers['sec-websocket-version'] === '13' && typeof key === 'string' && Buffer.from(key, 'base64').length === 16;
}

/**
 * Upgrade requests reach `handler` (the app) with a response on their socket. What the handler does not take with
 * `takeUpgrade` is answered over HTTP and the connection closed; other upgrades (not a WebSocket) get 400.
 */
export function acceptUpgrades(server: Server, handler: (req: IncomingMessage, res: ServerResponse) => void): void {
  server.on('upgrade', (req: IncomingMessage, duplex: Duplex, head: Buffer) => {
    const socket = duplex as Socket; // what Node's HTTP server hands over is the connection's socket
    socket.on('error', () => socket.destroy());
    if (!asksForWebSocket(req)) {
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-type: text/plain\r\ncontent-length: 24\r\n\r\nNot a WebSocket request\n');
      return;
    }
    const upgrade: Upgrade = { socket, head, taken: false };
    upgrades.set(req, upgrade);
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket);
    res.on('finish', () => {
      if (!upgrade.taken) socket.end();
    });
    handler(req, res);
  });
}

/** The upgrade request's socket, for a handler that accepts it: the 101 answer is sent, the response let go. */
export function takeUpgrade(req: IncomingMessage, res: ServerResponse): WebSocketConnection | undefined {
  const upgrade = upgrades.get(req);
  if (!upgrade || upgrade.taken) return undefined;
  upgrade.taken = true;
  res.detachSocket(upgrade.socket);
  const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}${GUID}`).digest('base64');
  upgrade.socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${accept}\r\n\r\n`);
  return new WebSocketConnection(upgrade.socket, upgrade.head);
}

/** Whether the request is an upgrade this process can take (so the handler answers it as a WebSocket). */
export function isUpgrade(req: IncomingMessage): boolean {
  const upgrade = upgrades.get(req);
  return upgrade !== undefined && !upgrade.taken;
}

/** An accepted WebSocket: text out, the peer's close and pings answered, everything else it sends ignored. */
export class WebSocketConnection {
  readonly #socket: Socket;
  #pending: Buffer = Buffer.alloc(0);
  #closing = false;

  constructor(socket: Socket, head: Buffer) {
    this.#socket = socket;
    socket.setTimeout(0);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#read(chunk));
    if (head.length) this.#read(head);
  }

  /** Bytes queued for a peer that does not read. */
  get backlog(): number {
    return this.#socket.writableLength;
  }

  /** After a close was sent or the socket ended. */
  get ended(): boolean {
    return this.#closing || this.#socket.writableEnded || this.#socket.destroyed;
  }

  onClose(listener: () => void): void {
    this.#socket.once('close', listener);
  }

  send(text: string): void {
    if (!this.ended) this.#write(OP_TEXT, text);
  }

  /** A ping: keeps proxies from taking the connection for idle; the browser answers it by itself. */
  ping(): void {
    if (!this.ended) this.#write(OP_PING, '');
  }

  /** Sends a close (1000: done, or 1001: the server goes away) and ends the connection once the peer answers, or after a bound. */
  close(goingAway = false): void {
    if (this.ended) return;
    this.#closing = true;
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(goingAway ? 1001 : 1000);
    this.#write(OP_CLOSE, payload);
    setTimeout(() => this.#socket.destroy(), CLOSE_TIMEOUT_MS).unref();
  }

  #write(opcode: number, data: string | Buffer): void {
    if (!this.#socket.writableEnded && !this.#socket.destroyed) this.#socket.write(frame(opcode, data));
  }

  #read(chunk: Buffer): void {
    this.#pending = this.#pending.length ? Buffer.concat([this.#pending, chunk]) : chunk;
    for (;;) {
      const next = parseFrame(this.#pending);
      if (next === 'incomplete') return;
      if (next === 'invalid') {
        this.#socket.destroy();
        return;
      }
      this.#pending = this.#pending.subarray(next.size);
      if (next.opcode === OP_CLOSE) {
        // The peer's close is answered with its own code, then the connection ends.
        if (!this.#closing) this.#write(OP_CLOSE, next.payload.subarray(0, 2));
        this.#closing = true;
        this.#socket.end();
        return;
      }
      if (next.opcode === OP_PING && !this.ended) this.#write(OP_PONG, next.payload);
    }
  }
}

/** One unfragmented frame from the server: never masked (RFC 6455 5.1). */
export function frame(opcode: number, data: string | Buffer): Buffer {
  const length = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  const header = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const out = Buffer.allocUnsafe(header + length);
  out[0] = 0x80 | opcode;
  if (header === 2) out[1] = length;
  else if (header === 4) {
    out[1] = 126;
    out.writeUInt16BE(length, 2);
  } else {
    out[1] = 127;
    out.writeBigUInt64BE(BigInt(length), 2);
  }
  if (typeof data === 'string') out.write(data, header);
  else data.copy(out, header);
  return out;
}

/** A client's frame: masked, small. */
function parseFrame(buf: Buffer): { opcode: number; payload: Buffer; size: number } | 'incomplete' | 'invalid' {
  if (buf.length < 2) return 'incomplete';
  const opcode = buf[0]! & 0x0f;
  if ((buf[1]! & 0x80) === 0) return 'invalid';
  let length = buf[1]! & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buf.length < 4) return 'incomplete';
    length = buf.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    return 'invalid';
  }
  if (length > MAX_INCOMING_FRAME) return 'invalid';
  if (buf.length < offset + 4 + length) return 'incomplete';
  const mask = buf.subarray(offset, offset + 4);
  const payload = Buffer.from(buf.subarray(offset + 4, offset + 4 + length));
  for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i % 4]!;
  return { opcode, payload, size: offset + 4 + length };
}
