/**
 * How long personal data stays (docs/privacy.md says what and why). Run from the purge job on every replica; each
 * step works in bounded batches, and replicas running at once skip each other's locked rows.
 *
 * A finished BankID order keeps what a per-client billing ledger needs (client, certificate fingerprint, operation,
 * start method, status, hint and error codes, times, BankID's orderRef) and loses the person (completion data with
 * personal number, name, signature and OCSP response; `sub`; a payment's transaction) and the browser (binding, start secrets, return nonce)
 * once no token from its login can need them; the rest of the row goes after ORDER_RECORD_RETENTION_DAYS.
 */
import { sql, type ExpressionBuilder } from 'kysely';
import type { Db } from './database.ts';
import { appendToLedger, LEDGER_SOURCE, ledgerEntryOf } from './ledger.ts';
import { RateLimitStore } from './rate-limits.ts';
import { foldLedger } from './usage-fold.ts';
import type { Database } from './schema.ts';

export interface RetentionPolicy {
  /** Seconds after an order ended until its personal data is deleted. */
  orderDataS: number;
  /** Seconds after an order ended until its row is deleted. */
  orderRecordS: number;
  /** Whole months the usage ledger keeps its rows; older ones are folded into daily totals. */
  ledgerMonths: number;
  /** Rows per statement. */
  batchSize?: number;
  /** Statements per step and run: the rest waits for the next run. */
  maxBatches?: number;
}

export interface RetentionResult {
  /** Pending orders nobody watched any more, closed as cancelled. */
  closed: number;
  /** Finished orders whose personal data was deleted. */
  stripped: number;
  /** Finished orders deleted. */
  deleted: number;
  /** Usage ledger rows folded into daily totals. */
  folded: number;
  /** Ended rate-limit windows deleted (their keys hold client addresses). */
  rateLimits: number;
  /** Some step hit maxBatches: more is due than one run may do. */
  backlog: boolean;
}

/** BankID ends every order within minutes; a pending order nobody asked about for an hour is one nobody will finish. */
const PENDING_MAX_IDLE_S = 3600;

const PERSONAL_DATA = {
  completion: null,
  subject: null,
  browser_binding: null,
  qr_start_secret: null,
  auto_start_token: null,
  return_nonce: null,
} as const;

/**
 * What goes, with a payment's transaction. That is left out of the condition below (the index's): an order holding
 * one holds a browser binding too until it is stripped.
 */
const STRIPPED = { ...PERSONAL_DATA, payment: null } as const;

/** The same condition as the partial index bankid_orders_personal_data (migration 0007), so the index is used. */
const holdsPersonalData = (eb: ExpressionBuilder<Database, 'bankid_orders'>) =>
  eb.or(Object.keys(PERSONAL_DATA).map((column) => eb(column as keyof typeof PERSONAL_DATA, 'is not', null)));

const ago = (seconds: number) => sql<Date>`now() - make_interval(secs => ${seconds})`;

export async function applyRetention(db: Db, policy: RetentionPolicy): Promise<RetentionResult> {
  const size = policy.batchSize ?? 500;
  const maxBatches = policy.maxBatches ?? 40;
  let backlog = false;
  const batched = async (step: () => Promise<bigint | number>): Promise<number> => {
    let total = 0;
    for (let i = 0; i < maxBatches; i++) {
      const n = Number(await step());
      total += n;
      if (n < size) return total;
    }
    backlog = true;
    return total;
  };
  const ids = () => db.selectFrom('bankid_orders').select('id').limit(size).forUpdate().skipLocked();

  // Closing an order finishes it: its ledger row comes with it, in the same statement.
  const closed = await batched(async () => Number((await db.with('finished', (qc) => qc.updateTable('bankid_orders')
    .set({ status: 'cancelled', updated_at: sql`now()`, completed_at: sql`now()`, ...STRIPPED })
    .where('id', 'in', ids().where('status', '=', 'pending').where('last_seen_at', '<', ago(PENDING_MAX_IDLE_S)))
    .where('status', '=', 'pending') // a collect that finished it meanwhile wins
    .returning(LEDGER_SOURCE))
    .with('ledger', (qc) => appendToLedger(qc, ledgerEntryOf('cancelled', null, 'janitor')))
    .selectFrom('finished').select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow()).n));

  const deleted = await batched(async () => (await db.deleteFrom('bankid_orders')
    .where('id', 'in', ids().where('completed_at', '<', ago(policy.orderRecordS)))
    .executeTakeFirst()).numDeletedRows);

  const stripped = await batched(async () => (await db.updateTable('bankid_orders')
    .set(STRIPPED)
    .where('id', 'in', ids().where('completed_at', '<', ago(policy.orderDataS)).where(holdsPersonalData))
    .executeTakeFirst()).numUpdatedRows);

  const folded = await batched(() => foldLedger(db, policy.ledgerMonths, size));

  const counters = new RateLimitStore(db);
  const rateLimits = await batched(() => counters.purgeExpired(size));

  return { closed, stripped, deleted, folded, rateLimits, backlog };
}
