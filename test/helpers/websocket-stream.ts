/** A waiting page's status stream over a WebSocket (Node's own client), with the browser's cookies and origin. */
import type { HttpBrowser } from './http-browser.ts';
import { Inbox } from './inbox.ts';

export interface SocketMessage {
  data: Record<string, unknown>;
  at: number;
}

export class WebSocketStream {
  readonly #socket: WebSocket;
  readonly #inbox = new Inbox<SocketMessage>();
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    this.opened = new Promise((resolve, reject) => {
      socket.addEventListener('open', () => resolve());
      socket.addEventListener('error', () => reject(new Error('the WebSocket did not open')));
    });
    this.opened.catch(() => {});
    this.closed = new Promise((resolve) => socket.addEventListener('close', (event) => {
      this.#inbox.end();
      resolve({ code: event.code, reason: event.reason });
    }));
    socket.addEventListener('message', (event) => {
      this.#inbox.push({ data: JSON.parse(String(event.data)) as Record<string, unknown>, at: performance.now() });
    });
  }

  /** `href` is the stream's http(s) URL; `origin` is what the page's origin header says (the broker's by default). */
  static open(browser: HttpBrowser, href: string, origin = new URL(href).origin): WebSocketStream {
    const url = new URL(href);
    const headers = { cookie: browser.cookieHeader(url), 'user-agent': browser.userAgent, origin };
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return new WebSocketStream(new WebSocket(url, { headers } as unknown as string[]));
  }

  get messages(): SocketMessage[] {
    return this.#inbox.items;
  }

  next(match: (message: SocketMessage) => boolean, what: string, timeoutMs?: number): Promise<SocketMessage> {
    return this.#inbox.next(match, what, timeoutMs);
  }

  message(what = 'a message', timeoutMs?: number): Promise<SocketMessage> {
    return this.next(() => true, what, timeoutMs);
  }

  /** The page goes away (a close frame, as a browser sends when a tab closes). */
  close(): void {
    this.#socket.close();
  }
}
