/**
 * The waiting phase's reader of a page's status stream, as the page script opens it: a WebSocket, or Server-Sent
 * Events when asked (`--stream sse`). node:http with callbacks, each message handed over as its JSON text. The tests'
 * readers (fetch and a web stream, or Node's WebSocket; a promise per message) cost the driver close to a core at
 * 10,000 streams, more than the broker it measures on the same 2 cores; this one a fraction.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'node:net';

export type StreamTransport = 'websocket' | 'sse';

export interface EventReader {
  /** The response's status (the broker answers 503 when it has no room for another stream). */
  status: number;
  /** Milliseconds from the call to the connection's establishment, and to the response's headers. */
  connectedMs: number;
  answeredMs: number;
  /** Settles when the stream ends: undefined when closed by `close()`, else why it ended. */
  ended: Promise<Error | undefined>;
  close(): void;
}

/**
 * Opens `href` as a status stream and calls `onData` with each message's data and when it arrived (Date.now()).
 * A stream silent for `silenceMs` (no frame, no heartbeat) ends with an error, as does a throw from `onData`.
 */
export function openEventReader(href: string, headers: Record<string, string>, onData: (data: string, at: number) => void, silenceMs: number, transport: StreamTransport): Promise<EventReader> {
  return new Promise((resolve, reject) => {
    const called = Date.now();
    let connectedMs = -1;
    const asked = transport === 'websocket'
      ? { ...headers, origin: new URL(href).origin, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64') }
      : { ...headers, accept: 'text/event-stream' };
    const req = http.get(href, { headers: asked, agent: false });
    req.once('socket', (socket) => socket.once('connect', () => { connectedMs = Date.now() - called; }));
    req.once('error', reject);
    req.once('upgrade', (_res, socket: Socket, head: Buffer) => {
      req.off('error', reject);
      const { ended, end, close } = ending(() => socket.destroy());
      socket.setTimeout(silenceMs, () => end(new Error(`no message for ${silenceMs} ms`)));
      let buffer = head;
      const read = (chunk: Buffer) => {
        buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
        const at = Date.now();
        // The server's frames: unmasked, unfragmented (http/websocket.ts).
        while (buffer.length >= 2) {
          let length = buffer[1]! & 0x7f;
          let offset = 2;
          if (length === 126) {
            if (buffer.length < 4) return;
            length = buffer.readUInt16BE(2);
            offset = 4;
          }
          if (buffer.length < offset + length) return;
          const opcode = buffer[0]! & 0x0f;
          const payload = buffer.subarray(offset, offset + length);
          buffer = buffer.subarray(offset + length);
          if (opcode === 0x8) return end(new Error(`the stream closed (${length >= 2 ? payload.readUInt16BE(0) : 'no code'})`));
          if (opcode !== 0x1) continue; // a ping
          try {
            onData(payload.toString('utf8'), at);
          } catch (err) {
            return end(err as Error);
          }
        }
      };
      socket.on('data', read);
      socket.once('error', (err) => end(err));
      socket.once('close', () => end(new Error('the stream closed')));
      resolve({ status: 101, connectedMs, answeredMs: Date.now() - called, ended, close });
      if (head.length) read(Buffer.alloc(0));
    });
    req.once('response', (res) => {
      const { ended, end, close } = ending(() => res.destroy());
      req.off('error', reject);
      req.on('error', (err) => end(err));
      res.setEncoding('utf8');
      res.socket.setTimeout(silenceMs, () => end(new Error(`no message for ${silenceMs} ms`)));
      let buffer = '';
      res.on('data', (chunk: string) => {
        buffer += chunk;
        const at = Date.now();
        let cut;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const data = block.startsWith('data: ') ? block.slice(6) : undefined;
          if (data === undefined) continue; // a comment or the retry line
          try {
            onData(data, at);
          } catch (err) {
            end(err as Error);
            return;
          }
        }
      });
      res.once('end', () => end(new Error('the stream ended')));
      res.once('close', () => end(new Error('the stream closed')));
      resolve({
        status: res.statusCode ?? 0,
        connectedMs,
        answeredMs: Date.now() - called,
        ended,
        close,
      });
    });
  });
}

/** A stream's end, settled once: why it ended, or undefined when `close()` (ours) ended it. */
function ending(destroy: () => void): { ended: Promise<Error | undefined>; end: (why: Error | undefined) => void; close: () => void } {
  let closing = false;
  let settle!: (why: Error | undefined) => void;
  const ended = new Promise<Error | undefined>((r) => (settle = r));
  const end = (why: Error | undefined) => {
    settle(closing ? undefined : why);
    destroy();
  };
  return { ended, end, close: () => { closing = true; end(undefined); } };
}
