/** What the oidc_payload lookups share: which rows are live, and how a row becomes what oidc-provider expects. */
import { sql, type RawBuilder } from 'kysely';
import type { AdapterPayload } from 'oidc-provider';

/** Not expired, on the database clock (the one upserts set `expires_at` by). */
export const live = (table: string): RawBuilder<boolean> =>
  sql<boolean>`(${sql.ref(`${table}.expires_at`)} is null or ${sql.ref(`${table}.expires_at`)} > now())`;

/** Code-reuse and refresh-token-reuse detection depend on a truthy `consumed` (epoch seconds, like the reference adapter). */
export function payloadOf(row: { payload: unknown; consumed_at: Date | null }): AdapterPayload {
  const payload = row.payload as AdapterPayload;
  return row.consumed_at ? { ...payload, consumed: Math.floor(row.consumed_at.getTime() / 1000) } : payload;
}
