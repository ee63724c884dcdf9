/**
 * The naive oidc-provider adapter the baseline measures against: one jsonb table for every model, one statement per
 * adapter call, no caching. It counts its statements so the bench can print them per login.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Adapter, AdapterPayload } from 'oidc-provider';

export async function createTable(db: Kysely<unknown>): Promise<void> {
  await sql`create table if not exists bare_oidc (
    model text not null, id text not null, payload jsonb not null,
    expires_at timestamptz, consumed_at timestamptz,
    primary key (model, id))`.execute(db);
  await sql`create index if not exists bare_oidc_grant on bare_oidc ((payload->>'grantId'))`.execute(db);
  await sql`create index if not exists bare_oidc_uid on bare_oidc ((payload->>'uid')) where model = 'Session'`.execute(db);
}

export class StatementCount {
  value = 0;
}

/** Adapter classes for oidc-provider's `adapter` option, bound to one database and one counter. */
export function kyselyAdapter(db: Kysely<unknown>, count: StatementCount): new (model: string) => Adapter {
  const run = async <T>(query: RawBuilder<T>) => {
    count.value++;
    return (await query.execute(db)).rows;
  };
  const live = sql`(expires_at is null or expires_at > now())`;
  const found = (rows: { payload: AdapterPayload; consumed_at: Date | null }[]) =>
    rows[0] && (rows[0].consumed_at ? { ...rows[0].payload, consumed: true } : rows[0].payload);

  return class implements Adapter {
    readonly model: string;
    constructor(model: string) {
      this.model = model;
    }
    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const expires = expiresIn ? new Date(Date.now() + expiresIn * 1000) : null;
      await run(sql`insert into bare_oidc (model, id, payload, expires_at) values (${this.model}, ${id}, ${JSON.stringify(payload)}, ${expires})
        on conflict (model, id) do update set payload = excluded.payload, expires_at = excluded.expires_at`);
    }
    async find(id: string) {
      return found(await run(sql<{ payload: AdapterPayload; consumed_at: Date | null }>`select payload, consumed_at from bare_oidc where model = ${this.model} and id = ${id} and ${live}`));
    }
    async findByUid(uid: string) {
      return found(await run(sql<{ payload: AdapterPayload; consumed_at: Date | null }>`select payload, consumed_at from bare_oidc where model = ${this.model} and payload->>'uid' = ${uid} and ${live}`));
    }
    async findByUserCode(userCode: string) {
      return found(await run(sql<{ payload: AdapterPayload; consumed_at: Date | null }>`select payload, consumed_at from bare_oidc where model = ${this.model} and payload->>'userCode' = ${userCode} and ${live}`));
    }
    async consume(id: string): Promise<void> {
      await run(sql`update bare_oidc set consumed_at = now() where model = ${this.model} and id = ${id}`);
    }
    async destroy(id: string): Promise<void> {
      await run(sql`delete from bare_oidc where model = ${this.model} and id = ${id}`);
    }
    async revokeByGrantId(grantId: string): Promise<void> {
      await run(sql`delete from bare_oidc where payload->>'grantId' = ${grantId}`);
    }
  };
}
