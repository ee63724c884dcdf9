/**
 * The transaction ledger: one row per finished BankID order, appended by the very statement that finishes the order
 * (a data-modifying CTE beside the order's update, so no extra round trip and never one without the other).
 * Migration 0014 makes it append-only. Nothing else writes it; the retention fold (usage-fold.ts) alone removes rows.
 */
import { sql, type QueryCreator } from 'kysely';
import type { Database, UsageLedgerTable } from './schema.ts';

export type LedgerOutcome = UsageLedgerTable['outcome'];
export type CancelledBy = NonNullable<UsageLedgerTable['cancelled_by']>;

/** What a ledger row says of an order's end, besides what the order row itself holds. */
export interface LedgerEntry {
  outcome: LedgerOutcome;
  cancelledBy: CancelledBy | null;
  /** The keyed hash of the person who completed it. */
  personKey: string | null;
}

/**
 * How an order ended, for the ledger and the events alike: BankID's `expiredTransaction` is an expiry, its
 * `userCancel` the person cancelling in the app; an order we cancelled says by whom.
 */
export function ledgerEntryOf(status: 'complete' | 'failed' | 'cancelled', hintCode: string | null | undefined, cancelledBy?: CancelledBy, personKey?: string): LedgerEntry {
  if (status === 'failed' && hintCode === 'expiredTransaction') return { outcome: 'expired', cancelledBy: null, personKey: null };
  if (status === 'failed' && hintCode === 'userCancel') return { outcome: 'cancelled', cancelledBy: 'person', personKey: null };
  if (status === 'cancelled') return { outcome: 'cancelled', cancelledBy: cancelledBy ?? 'broker', personKey: null };
  return { outcome: status, cancelledBy: null, personKey: status === 'complete' ? personKey ?? null : null };
}

const COLUMNS = [
  'order_id', 'tenant_id', 'client_id', 'rp_certificate', 'operation', 'start_method', 'outcome', 'hint_code', 'error_code',
  'cancelled_by', 'started_at', 'finished_at', 'duration_ms', 'collects', 'risk', 'person_key',
] as const;

/** What the CTE `finished` returns for `appendToLedger`: BankID's risk rather than the whole completion (10–15 KB). */
export const LEDGER_SOURCE = ['id', 'client_id', 'rp_certificate', 'operation', 'start_method', 'status', 'hint_code', 'error_code', 'created_at', 'completed_at', 'collects', sql<string | null>`completion ->> 'risk'`.as('risk')] as const;

/**
 * The ledger insert for the orders that the CTE `finished` (an update of bankid_orders returning LEDGER_SOURCE) left
 * finished. The tenant is the client's, else the certificate's (a client removed since).
 */
export function appendToLedger(db: QueryCreator<Database>, entry: LedgerEntry) {
  return db.insertInto('usage_ledger').columns(COLUMNS).expression(sql`
    select f.id, coalesce(c.tenant_id, r.tenant_id, 'default'), f.client_id, f.rp_certificate, f.operation, f.start_method,
           ${entry.outcome}, f.hint_code, f.error_code, ${entry.cancelledBy}::text, f.created_at, f.completed_at,
           greatest(0, round(extract(epoch from f.completed_at - f.created_at) * 1000))::int, f.collects,
           f.risk, ${entry.personKey}::text
    from finished f
    left join clients c on c.client_id = f.client_id
    left join rp_certificates r on r.fingerprint = f.rp_certificate
    where f.status <> 'pending'`);
}
