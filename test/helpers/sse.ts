/** A Server-Sent Events reader for tests: every message and comment as it arrives, waited on by condition. */
import type { HttpBrowser } from './http-browser.ts';
import { Inbox } from './inbox.ts';

export interface SseBlock {
  /** The parsed JSON of the `data:` lines, when there were any. */
  data?: Record<string, unknown>;
  event?: string;
  retry?: number;
  comment?: string;
  /** When the block arrived (performance.now()). */
  at: number;
}

export class EventStream {
  readonly response: Response;
  readonly #inbox = new Inbox<SseBlock>();
  readonly #reading: Promise<void>;
  readonly #abort: AbortController;

  private constructor(response: Response, abort: AbortController) {
    this.response = response;
    this.#abort = abort;
    this.#reading = this.#read();
  }

  static async open(browser: HttpBrowser, href: string): Promise<EventStream> {
    const abort = new AbortController();
    return new EventStream(await browser.open(href, { accept: 'text/event-stream' }, abort.signal), abort);
  }

  async #read(): Promise<void> {
    if (!this.response.body) { this.#inbox.end(); return; }
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of this.response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          this.#inbox.push(parse(buffer.slice(0, end)));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch { /* aborted or reset: the stream has ended */ }
    this.#inbox.end();
  }

  get blocks(): SseBlock[] {
    return this.#inbox.items;
  }

  get ended(): boolean {
    return this.#inbox.ended;
  }

  /** The next block (after those already taken) that satisfies `match`, waiting at most `timeoutMs` for it. */
  next(match: (block: SseBlock) => boolean, what: string, timeoutMs?: number): Promise<SseBlock> {
    return this.#inbox.next(match, what, timeoutMs);
  }

  /** The next message with data. */
  message(what = 'a message', timeoutMs?: number): Promise<SseBlock> {
    return this.next((b) => b.data !== undefined, what, timeoutMs);
  }

  /** Resolves when the server has ended the stream (bounded). */
  async closedByServer(timeoutMs = 15_000): Promise<void> {
    await Promise.race([this.#reading, new Promise((_, reject) => setTimeout(() => reject(new Error('the stream did not end')), timeoutMs).unref())]);
  }

  /** The page goes away. */
  async close(): Promise<void> {
    this.#abort.abort();
    await this.#reading;
  }
}

function parse(text: string): SseBlock {
  const block: SseBlock = { at: performance.now() };
  const data: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith(':')) block.comment = line.slice(1).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
    else if (line.startsWith('event:')) block.event = line.slice(6).trim();
    else if (line.startsWith('retry:')) block.retry = Number(line.slice(6).trim());
  }
  if (data.length) block.data = JSON.parse(data.join('\n')) as Record<string, unknown>;
  return block;
}
