import type pg from 'pg';
import type { ReadOutcome, RunsReader } from '../database';
import type { ReaderCall, ReaderCalls } from '../model/readCalls';
import type { Schema } from '../model/schema';
import { describePostgres, openPool, postgresProblem } from './connection';
import { queryOn } from './namedParams';
import { beginPinned, detectSchema } from './postgresSchema';
import { runAsync } from '../reads/plan';
import { fingerprintOf, plannedRead } from '../reads/plannedRead';
import { RunSql } from '../runSql';

/**
 * The reads of a PostgreSQL database: each in one read-only, repeatable-read transaction (the
 * statements of a read see one snapshot), asynchronous, so the extension host never waits on the
 * network. The schema is looked up once, and again after a read fails; search_path is pinned to
 * pg_catalog (see postgresSchema.ts).
 */
export class PostgresReader implements RunsReader {
  private pool: pg.Pool | undefined;
  private schema: Schema | undefined;
  readonly description: string;

  constructor(private readonly url: string) {
    this.description = describePostgres(url);
  }

  async read<M extends ReaderCall>(call: M, arg: ReaderCalls[M][0]): Promise<ReadOutcome<ReaderCalls[M][1]>> {
    const started = performance.now();
    this.pool ??= openPool(this.url);
    let client: pg.PoolClient | undefined;
    try {
      client = await this.pool.connect();
      const query = queryOn(client);
      const schemas = await beginPinned(client, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      this.schema ??= await detectSchema(query, schemas, this.description);
      const planned = plannedRead(call, arg);
      const got = await runAsync(planned.plan(new RunSql('postgres', this.schema)), (statement) => query(statement.sql, statement.params));
      await query('COMMIT');
      client.release();
      client = undefined;
      const value = (planned.finish ? await planned.finish(got) : got) as ReaderCalls[M][1];
      const fingerprint = fingerprintOf(value);
      return { value, fingerprint, log: `${this.description}: ${(performance.now() - started).toFixed(1)} ms` };
    } catch (err) {
      this.schema = undefined;
      client?.release(true);
      client = undefined;
      throw postgresProblem(err, this.url);
    } finally {
      client?.release();
    }
  }

  /** Closes the connections; a later read opens new ones. */
  release(): void {
    const pool = this.pool;
    this.pool = undefined;
    void pool?.end().catch(() => undefined);
  }

  dispose(): void {
    this.release();
  }
}
