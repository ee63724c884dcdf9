/** One keep-alive TCP connection to a server, speaking HTTP/1.1 by hand: what a client sends, and when, is the test's. */
import { connect, type Socket } from 'node:net';

export interface RawResponse { status: number; headers: Record<string, string>; body: string }

export class RawConnection {
  readonly #socket: Socket;
  #buffer = Buffer.alloc(0);
  #ended = false;
  #wake: (() => void) | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => { this.#buffer = Buffer.concat([this.#buffer, chunk]); this.#wake?.(); });
    // A reset after the peer has answered and closed counts as closed: what was received stays readable.
    socket.on('error', () => {});
    socket.on('close', () => { this.#ended = true; this.#wake?.(); });
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  write(data: string | Buffer): void {
    if (!this.#socket.destroyed) this.#socket.write(data);
  }

  get closed(): boolean { return this.#ended; }

  /** Waits (at most `timeoutMs`) until `ready` is true of the bytes received or the connection closed. */
  async #until(ready: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready() && !this.#ended) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => { clearTimeout(timer); resolve(); };
      });
    }
  }

  /** The next complete response (Content-Length bodies; without one, the body runs to the close). */
  async response(timeoutMs = 10_000): Promise<RawResponse> {
    const headEnd = () => this.#buffer.indexOf('\r\n\r\n');
    await this.#until(() => headEnd() >= 0, timeoutMs, 'a response');
    if (headEnd() < 0) throw new Error('the connection closed without a response');
    const [statusLine, ...lines] = this.#buffer.subarray(0, headEnd()).toString('latin1').split('\r\n');
    const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    const start = headEnd() + 4;
    const length = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
    await this.#until(() => length !== undefined && this.#buffer.length >= start + length, timeoutMs, 'a response body');
    const end = length === undefined ? this.#buffer.length : start + length;
    const body = this.#buffer.subarray(start, end).toString('utf8');
    this.#buffer = this.#buffer.subarray(end);
    return { status: Number(statusLine!.split(' ')[1]), headers, body };
  }

  /** Resolves when the server has closed the connection; throws if it is still open after `timeoutMs`. */
  async waitClosed(timeoutMs = 10_000): Promise<void> {
    await this.#until(() => false, timeoutMs, 'the server to close the connection');
  }

  destroy(): void { this.#socket.destroy(); }
}
