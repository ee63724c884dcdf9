/**
 * Stops a server the way a rolling update needs: no new connections, idle keep-alive connections closed, requests in
 * flight answered until `graceMs` has passed, then whatever is still open is cut. A connection that finishes its
 * request while draining is idle from then on and is closed by the next sweep, so a client does not send another.
 */
import type { Server } from 'node:http';

const SWEEP_MS = 50;

/** Resolves with how the drain ended: every connection closed by itself (`drained`) or cut at the deadline. */
export function drain(server: Server, graceMs: number): Promise<'drained' | 'cut'> {
  return new Promise((resolve) => {
    let outcome: 'drained' | 'cut' = 'drained';
    const sweep = setInterval(() => server.closeIdleConnections(), SWEEP_MS);
    const deadline = setTimeout(() => { outcome = 'cut'; server.closeAllConnections(); }, graceMs);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(deadline);
      resolve(outcome);
    });
    server.closeIdleConnections();
  });
}
