/**
 * The admin console's sessions (migration 0015). The id is a random secret that only the signed cookie carries; a
 * session idle for longer than the console allows is gone: read as absent, and removed.
 */
import { randomBytes } from 'node:crypto';
import { possibleKey, type Db } from './database.ts';

export interface ConsoleSession {
  id: string;
  csrf: string;
  /** The admins rows the person signed in as; undefined before the BankID sign-in completes. */
  adminIds?: string[];
  displayName?: string;
  authenticatedAt?: Date;
  /** The sign-in under way (state, nonce, PKCE verifier, return path). */
  pending?: Record<string, string>;
  /** A change's form fields kept over a re-authentication. */
  draft?: Record<string, string>;
  lastSeenAt: Date;
}

const token = () => randomBytes(24).toString('base64url');

export class ConsoleSessionRepository {
  readonly #db: Db;
  constructor(db: Db) { this.#db = db; }

  async create(now: Date, pending?: Record<string, string>): Promise<ConsoleSession> {
    const session: ConsoleSession = { id: token(), csrf: token(), pending, lastSeenAt: now };
    await this.#db.insertInto('console_sessions')
      .values({ id: session.id, csrf: session.csrf, pending: pending ? JSON.stringify(pending) : null, last_seen_at: now })
      .execute();
    return session;
  }

  /** The session if it was seen within `idleS` of `now`, marked seen now; an idle one is removed. */
  async touch(id: string, now: Date, idleS: number): Promise<ConsoleSession | undefined> {
    if (!possibleKey(id)) return undefined;
    const row = await this.#db.updateTable('console_sessions').set({ last_seen_at: now })
      .where('id', '=', id).where('last_seen_at', '>=', new Date(now.getTime() - idleS * 1000))
      .returningAll().executeTakeFirst();
    if (!row) {
      await this.remove(id);
      return undefined;
    }
    return {
      id: row.id, csrf: row.csrf, adminIds: row.admin_ids ?? undefined, displayName: row.display_name ?? undefined,
      authenticatedAt: row.authenticated_at ?? undefined, pending: row.pending ?? undefined, draft: row.draft ?? undefined, lastSeenAt: row.last_seen_at,
    };
  }

  async setPending(id: string, pending: Record<string, string> | null, draft?: Record<string, string> | null): Promise<void> {
    await this.#db.updateTable('console_sessions')
      .set({ pending: pending && JSON.stringify(pending), ...(draft !== undefined ? { draft: draft && JSON.stringify(draft) } : {}) })
      .where('id', '=', id).execute();
  }

  /** After a BankID sign-in: who it is, when, and a fresh id and CSRF token (the one from before sign-in is dropped). */
  async signedIn(previousId: string, adminIds: string[], displayName: string, now: Date): Promise<ConsoleSession> {
    const session: ConsoleSession = { id: token(), csrf: token(), adminIds, displayName, authenticatedAt: now, lastSeenAt: now };
    await this.#db.transaction().execute(async (trx) => {
      const before = await trx.deleteFrom('console_sessions').where('id', '=', previousId).returning('draft').executeTakeFirst();
      session.draft = before?.draft ?? undefined;
      await trx.insertInto('console_sessions').values({
        id: session.id, csrf: session.csrf, admin_ids: JSON.stringify(adminIds), display_name: displayName,
        authenticated_at: now, draft: session.draft ? JSON.stringify(session.draft) : null, last_seen_at: now,
      }).execute();
    });
    return session;
  }

  async remove(id: string): Promise<void> {
    if (possibleKey(id)) await this.#db.deleteFrom('console_sessions').where('id', '=', id).execute();
  }

  /** Removes sessions idle for longer than `idleS` (the janitor). */
  async removeIdle(now: Date, idleS: number): Promise<number> {
    const result = await this.#db.deleteFrom('console_sessions').where('last_seen_at', '<', new Date(now.getTime() - idleS * 1000)).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
