/**
 * The waiting phase's reader of a page's event stream: node:http with callbacks, each message handed over as its
 * `data:` text. The tests' reader (test/helpers/sse.ts, fetch and a web stream, a promise per message) costs the
 * driver close to a core at 10,000 streams, more than the broker it measures on the same 2 cores; this one a fraction.
 */
import http from 'node:http';

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
 * Opens `href` as an event stream and calls `onData` with each message's data and when it arrived (Date.now()).
 * A stream silent for `silenceMs` (no frame, no heartbeat) ends with an error, as does a throw from `onData`.
 */
export function openEventReader(href: string, headers: Record<string, string>, onData: (data: string, at: number) => void, silenceMs: number): Promise<EventReader> {
  return new Promise((resolve, reject) => {
    const called = Date.now();
    let connectedMs = -1;
    const req = http.get(href, { headers: { ...headers, accept: 'text/event-stream' }, agent: false });
    req.once('socket', (socket) => socket.once('connect', () => { connectedMs = Date.now() - called; }));
    req.once('error', reject);
    req.once('response', (res) => {
      let closing = false;
      let settle!: (why: Error | undefined) => void;
      const ended = new Promise<Error | undefined>((r) => (settle = r));
      const end = (why: Error | undefined) => {
        settle(closing ? undefined : why);
        res.destroy();
      };
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
        close: () => {
          closing = true;
          end(undefined);
        },
      });
    });
  });
}
