/**
 * A TCP hop in front of a server (the simulator's RP API, PostgreSQL's port or unix socket) that a test can cut and
 * restore; what passes through (TLS, the Postgres protocol) is untouched.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export type LinkTarget = { host: string; port: number } | { path: string };

export class TcpLink {
  readonly #server: Server = createServer((client) => this.#connect(client));
  readonly #sockets = new Set<Socket>();
  readonly #target: LinkTarget;
  #cut = false;
  port = 0;

  constructor(target: LinkTarget) {
    this.#target = target;
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.port = (this.#server.address() as { port: number }).port;
    return this;
  }

  #connect(client: Socket): void {
    if (this.#cut) {
      client.destroy();
      return;
    }
    const upstream = connect(this.#target);
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
      socket.on('error', () => { client.destroy(); upstream.destroy(); });
    }
    client.pipe(upstream).pipe(client);
  }

  /** From now on every connection is reset, open ones included: the server is unreachable. */
  cut(): void {
    this.#cut = true;
    for (const socket of this.#sockets) socket.destroy();
  }

  restore(): void {
    this.#cut = false;
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
