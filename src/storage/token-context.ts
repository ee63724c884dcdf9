/**
 * A token request in one statement. At the token and userinfo endpoints oidc-provider loads the code or access token,
 * then its session (by uid), then its grant, and Brygga's `findAccount` the login order behind the grant: four round
 * trips, one after the other. Here the token comes with the other three, which go into the request scope, where the
 * later lookups of the same request find them.
 */
import { sql } from 'kysely';
import type { AdapterPayload } from 'oidc-provider';
import type { Db } from './database.ts';
import { live, payloadOf } from './oidc-rows.ts';
import type { RequestScope } from './request-scope.ts';

/** The scope kind of the login order behind a grant (see LoginRepository.orderForGrant). */
export const LOGIN_ORDER = 'LoginOrder';

/** How the adapter keys a Session found by uid in the scope. */
export const SESSION_BY_UID = 'Session#uid';

interface Row { kind: string; payload: unknown; consumed_at: Date | null }

export async function findTokenWithContext(db: Db, model: string, id: string, scope: RequestScope): Promise<AdapterPayload | undefined> {
  const { rows } = await sql<Row>`
    with t as (
      select payload, consumed_at from oidc_payload t where model = ${model} and id = ${id} and ${live('t')}
    )
    select 'token' as kind, t.payload, t.consumed_at from t
    union all
    select 'Grant', g.payload, g.consumed_at from t
      join oidc_payload g on g.model = 'Grant' and g.id = t.payload->>'grantId' where ${live('g')}
    union all
    select 'Session', s.payload, s.consumed_at from t
      join oidc_payload s on s.model = 'Session' and s.uid = t.payload->>'sessionUid' where ${live('s')}
    union all
    select ${LOGIN_ORDER}, jsonb_build_object('orderRef', o.order_ref, 'operation', o.operation, 'completion', o.completion, 'payment', o.payment, 'subject', o.subject), null from t
      join login_grants lg on lg.grant_id = t.payload->>'grantId' join bankid_orders o on o.id = lg.order_id
  `.execute(db);
  const row = (kind: string) => rows.find((r) => r.kind === kind);
  const token = row('token');
  if (!token) return undefined;
  const payload = payloadOf(token);
  // What the token names but the statement did not find does not exist: later lookups need not ask again.
  if (typeof payload.grantId === 'string') {
    const grant = row('Grant');
    scope.set('Grant', payload.grantId, grant ? payloadOf(grant) : null);
    scope.set(LOGIN_ORDER, payload.grantId, (row(LOGIN_ORDER)?.payload as Record<string, unknown> | undefined) ?? null);
  }
  if (typeof payload.sessionUid === 'string') {
    const session = row('Session');
    scope.set(SESSION_BY_UID, payload.sessionUid, session ? payloadOf(session) : null);
  }
  return payload;
}
