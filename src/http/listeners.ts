/**
 * The broker's HTTP listening sockets: several on one port, each with an HTTP server of its own and the same handlers.
 * Node's event loop (libuv 1.52) accepts one connection per listening socket per turn of the loop; a broker busy with
 * thousands of waiting pages turns ~75 times a second, so with one socket a crowd's new connections (every waiting
 * page opens one for its status stream) queued in the kernel for 10–20 s: long enough for the janitor to take their
 * orders for abandoned (docs/performance.md, 27th). With SO_REUSEPORT the kernel spreads new connections over the
 * sockets, and each turn accepts one on each. Where the platform has no SO_REUSEPORT, one socket.
 */
import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { drain } from './drain.ts';
import { acceptUpgrades } from './websocket.ts';

/** Listening sockets per process on Linux. */
const SOCKETS = process.platform === 'linux' ? 4 : 1;

export interface ListenOptions {
  port: number;
  host: string;
  /** Connections each socket's kernel queue holds until they are accepted (capped by net.core.somaxconn). */
  backlog: number;
}

export class Listeners {
  readonly #servers: Server[];

  constructor(options: ServerOptions) {
    this.#servers = Array.from({ length: SOCKETS }, () => createServer(options));
  }

  /** Every server answers requests with `handle`; a WebSocket upgrade goes through it too (websocket.ts). */
  handle(handle: (req: IncomingMessage, res: ServerResponse) => void): void {
    for (const server of this.#servers) {
      server.on('request', handle);
      acceptUpgrades(server, handle);
    }
  }

  /**
   * Listens on the port (0: a free one, which the other sockets then share) and resolves with it. A port that
   * another process holds fails with EADDRINUSE, even one that shares its own sockets: sockets are shared only
   * within this process.
   */
  async listen({ port, host, backlog }: ListenOptions): Promise<number> {
    const shared = this.#servers.length > 1;
    if (shared && port !== 0) await refuseTaken(port, host);
    const [first, ...others] = this.#servers;
    await listenOn(first!, { port, host, backlog, reusePort: shared });
    const bound = (first!.address() as AddressInfo).port;
    for (const server of others) await listenOn(server, { port: bound, host, backlog, reusePort: true });
    return bound;
  }

  /** Stops every socket the way drain.ts does; `cut` when any of them had to cut requests at the deadline. */
  async drain(graceMs: number): Promise<'drained' | 'cut'> {
    const outcomes = await Promise.all(this.#servers.filter((s) => s.listening).map((s) => drain(s, graceMs)));
    return outcomes.includes('cut') ? 'cut' : 'drained';
  }

  close(): void {
    for (const server of this.#servers) if (server.listening) server.close();
  }
}

function listenOn(server: Server, options: ListenOptions & { reusePort: boolean }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options, () => {
      server.off('error', reject); // later errors are the server's own, not this listen's
      resolve();
    });
  });
}

/** A plain bind of the port, let go at once: EADDRINUSE when anybody else holds it. */
async function refuseTaken(port: number, host: string): Promise<void> {
  const probe = createNetServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen({ port, host }, () => resolve());
  });
  await new Promise((resolve) => probe.close(resolve));
}
