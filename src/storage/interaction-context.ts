/**
 * An interaction page's request in one statement. Each of our interaction routes has oidc-provider load the
 * interaction, and the order flow then polls (or reads) the interaction's latest order: two round trips, one after
 * the other. Here the interaction comes with the poll (a data-modifying CTE), and both go into the request scope,
 * where the adapter's read and the order flow's poll of the same request find them. A start's rate limits are
 * counted by the same statement too.
 */
import { sql } from 'kysely';
import { possibleKey, type Db } from './database.ts';
import { live, payloadOf } from './oidc-rows.ts';
import { pollLatest, POLLED_ORDER, RENDERED_ORDER, type PolledOrder } from './orders.ts';
import { COUNTED, counterRows, counterState, counting, type Counter, type CounterState, type CountedRow } from './rate-limits.ts';
import { requestScope } from './request-scope.ts';

type Row = Partial<PolledOrder> & { interaction: unknown; interaction_consumed_at: Date | null; counted?: CountedRow[] | null };

/**
 * The rate limits of an order start: `own` counters, and one shared by the interaction's client, whose key is
 * `keyPrefix` followed by the client id the stored interaction names (no client is known before it is read).
 */
export interface StartCounters {
  own: Counter[];
  perClient: Omit<Counter, 'key'> & { keyPrefix: string };
}

/**
 * `render`: the request renders the order's page, which is counted (its number goes into the page's leave beacon).
 * `starts`: the request starts an order; returns what its counters counted. Outside a request (no scope) nothing is
 * read: nobody would find it.
 */
export async function loadInteractionWithOrder(db: Db, uid: string, render: boolean, starts?: StartCounters): Promise<CounterState[] | undefined> {
  const scope = requestScope();
  if (!scope || !possibleKey(uid)) return undefined; // the adapter finds nothing by such a key either
  const interaction = sql`select payload, consumed_at from oidc_payload i where i.model = 'Interaction' and i.id = ${uid} and ${live('i')}`;
  const counters = starts && sql`, ${counting(sql`${counterRows(starts.own)} union all
    select ${starts.perClient.keyPrefix} || (payload #>> '{params,client_id}'), ${starts.perClient.windowS}::int, ${starts.perClient.max}::int, true from i`)}`;
  const { rows } = await sql<Row>`
    with o as (${pollLatest(db, uid, render)}), i as (${interaction})${counters ?? sql``}
    select i.payload as interaction, i.consumed_at as interaction_consumed_at, o.*
      ${counters ? sql`, (select json_agg(c) from (${COUNTED}) as c) as counted` : sql``}
    from (select 1) as one
    left join i on true
    left join o on true
  `.execute(db);
  const { interaction: payload, interaction_consumed_at: consumedAt, counted, ...order } = rows[0]!;
  scope.set('Interaction', uid, payload ? payloadOf({ payload, consumed_at: consumedAt }) : null);
  scope.set(render ? RENDERED_ORDER : POLLED_ORDER, uid, order.id ? order : null);
  return starts && (counted ?? []).map(counterState);
}
