/**
 * A Kysely dialect over the embedded engine (embedded-engine.ts). A transaction holds the engine's one session from
 * BEGIN to its end, so it never interleaves with another request's statements (the gap kysely-pglite leaves open);
 * any other statement is sent at once and pipelined. SQL compilation and introspection are kysely's Postgres ones,
 * so every query is the same text production runs on real PostgreSQL.
 */
import {
  CompiledQuery, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler,
  type DatabaseConnection, type Dialect, type Driver, type Kysely, type QueryResult, type TransactionSettings,
} from 'kysely';
import type { EmbeddedEngine, Session } from './embedded-engine.ts';

class EmbeddedConnection implements DatabaseConnection {
  readonly #engine: EmbeddedEngine;
  #session: Session | undefined;
  constructor(engine: EmbeddedEngine) { this.#engine = engine; }

  async begin(statement: string): Promise<void> {
    this.#session = await this.#engine.hold();
    try {
      await this.#session.query(statement);
    } catch (err) {
      this.end();
      throw err;
    }
  }

  end(): void {
    this.#session?.release();
    this.#session = undefined;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const result = await (this.#session ?? this.#engine).query<R>(query.sql, query.parameters);
    return {
      rows: result.rows,
      ...(result.affectedRows !== undefined && query.query.kind !== 'SelectQueryNode' ? { numAffectedRows: BigInt(result.affectedRows) } : {}),
    };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported on the embedded database');
  }
}

class EmbeddedDriver implements Driver {
  readonly #engine: EmbeddedEngine;
  constructor(engine: EmbeddedEngine) { this.#engine = engine; }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new EmbeddedConnection(this.#engine);
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const isolation = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : '';
    await (connection as EmbeddedConnection).begin(`begin${isolation}`);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await this.#finish(connection as EmbeddedConnection, 'commit');
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await this.#finish(connection as EmbeddedConnection, 'rollback');
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as EmbeddedConnection).end();
  }

  async destroy(): Promise<void> {
    await this.#engine.close();
  }

  async #finish(connection: EmbeddedConnection, statement: string): Promise<void> {
    try {
      await connection.executeQuery(CompiledQuery.raw(statement));
    } finally {
      connection.end();
    }
  }
}

export class PGliteDialect implements Dialect {
  readonly #engine: EmbeddedEngine;
  constructor(engine: EmbeddedEngine) { this.#engine = engine; }
  createAdapter() { return new PostgresAdapter(); }
  createDriver(): Driver { return new EmbeddedDriver(this.#engine); }
  createQueryCompiler() { return new PostgresQueryCompiler(); }
  createIntrospector(db: Kysely<unknown>) { return new PostgresIntrospector(db); }
}
