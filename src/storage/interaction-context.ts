/**
 * An interaction page's request in one statement. Each of our interaction routes has oidc-provider load the
 * interaction, and the order flow then polls (or reads) the interaction's latest order: two round trips, one after
 * the other. Here the interaction comes with the poll (a data-modifying CTE), and both go into the request scope,
 * where the adapter's read and the order flow's poll of the same request find them.
 */
import { sql } from 'kysely';
import { possibleKey, type Db } from './database.ts';
import { live, payloadOf } from './oidc-rows.ts';
import { pollLatest, POLLED_ORDER, RENDERED_ORDER, type PolledOrder } from './orders.ts';
import { requestScope } from './request-scope.ts';

type Row = Partial<PolledOrder> & { interaction: unknown; interaction_consumed_at: Date | null };

/**
 * `render`: the request renders the order's page, which is counted (its number goes into the page's leave beacon).
 * Outside a request (no scope) nothing is read: nobody would find it.
 */
export async function loadInteractionWithOrder(db: Db, uid: string, render: boolean): Promise<void> {
  const scope = requestScope();
  if (!scope || !possibleKey(uid)) return; // the adapter finds nothing by such a key either
  const { rows } = await sql<Row>`
    with o as (${pollLatest(db, uid, render)})
    select i.payload as interaction, i.consumed_at as interaction_consumed_at, o.*
    from (select 1) as one
    left join oidc_payload i on i.model = 'Interaction' and i.id = ${uid} and ${live('i')}
    left join o on true
  `.execute(db);
  const { interaction, interaction_consumed_at: consumedAt, ...order } = rows[0]!;
  scope.set('Interaction', uid, interaction ? payloadOf({ payload: interaction, consumed_at: consumedAt }) : null);
  scope.set(render ? RENDERED_ORDER : POLLED_ORDER, uid, order.id ? order : null);
}
