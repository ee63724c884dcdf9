/**
 * A Server-Sent Events response whose headers are written: one `data:` line per message, a comment as a ping. The
 * same methods as a WebSocketConnection (websocket.ts), so a stream of messages can go out either way.
 */
import type { ServerResponse } from 'node:http';

export class EventStreamResponse {
  readonly #res: ServerResponse;

  /** `retryMs`: how long the browser waits before it connects again after the stream broke. */
  constructor(res: ServerResponse, retryMs: number) {
    this.#res = res;
    res.write(`retry: ${retryMs}\n\n`);
  }

  get backlog(): number {
    return this.#res.writableLength;
  }

  get ended(): boolean {
    return this.#res.writableEnded;
  }

  onClose(listener: () => void): void {
    this.#res.on('close', listener);
  }

  send(text: string): void {
    this.#res.write(`data: ${text}\n\n`);
  }

  ping(): void {
    this.#res.write(': ping\n\n');
  }

  /** Ends the response; `goingAway` (the process stops) says so in a comment first. */
  close(goingAway = false): void {
    this.#res.end(goingAway ? ': closing\n\n' : undefined);
  }
}
