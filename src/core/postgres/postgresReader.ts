import type pg from 'pg';
import type { ReadOutcome, RunsReader } from '../database';
import type { ReaderCall, ReaderCalls, StreamCall, StreamCalls } from '../model/readCalls';
import type { Row } from '../model/runRow';
import type { Schema } from '../model/schema';
import { describePostgres, openPool, postgresProblem } from './connection';
import { type Query, queryOn } from './namedParams';
import { beginPinned, detectSchema } from './postgresSchema';
import { type Engine, type Plan, runAsync } from '../reads/plan';
import { fingerprintOf, plannedRead } from '../reads/plannedRead';
import { STREAMS } from '../reads/runReads';
import { RunSql } from '../runSql';

/**
 * Statements on one transaction's connection; a cursor is declared in the transaction on its first
 * batch and ends with it.
 */
export function postgresEngine(query: Query): Engine<Promise<Row[]>> {
  let cursors = 0;
  return {
    all: (s) => query(s.sql, s.params),
    open: (s) => {
      const name = `workflow_runs_cursor_${++cursors}`;
      let declared = false;
      return {
        async next(size) {
          if (!declared) await query(`DECLARE ${name} NO SCROLL CURSOR FOR ${s.sql}`, s.params);
          declared = true;
          return query(`FETCH FORWARD ${size} FROM ${name}`);
        },
        close: () => undefined,
      };
    },
  };
}

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
    const planned = plannedRead(call, arg);
    const got = await this.transaction((sql, engine) => runAsync(planned.plan(sql), engine));
    // What is done after the transaction (the graph reads workflow files) holds no connection.
    const value = (planned.finish ? await planned.finish(got) : got) as ReaderCalls[M][1];
    return {
      value,
      // Made when asked for (the tree compares overviews): a watch's memory of every failed run is not hashed each poll.
      get fingerprint() {
        return fingerprintOf(value);
      },
      log: `${this.description}: ${(performance.now() - started).toFixed(1)} ms`,
    };
  }

  stream<M extends StreamCall>(call: M, arg: StreamCalls[M][0], each: (part: StreamCalls[M][1]) => void): Promise<StreamCalls[M][2]> {
    const plan = STREAMS[call] as (sql: RunSql, a: StreamCalls[M][0], e: typeof each) => Plan<StreamCalls[M][2]>;
    return this.transaction((sql, engine) => runAsync(plan(sql, arg, each), engine));
  }

  /** Runs `body` in one read-only, repeatable-read transaction. */
  private async transaction<T>(body: (sql: RunSql, engine: Engine<Promise<Row[]>>) => Promise<T>): Promise<T> {
    this.pool ??= openPool(this.url);
    let client: pg.PoolClient | undefined;
    try {
      client = await this.pool.connect();
      const query = queryOn(client);
      const schemas = await beginPinned(client, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      this.schema ??= await detectSchema(query, schemas, this.description);
      const value = await body(new RunSql('postgres', this.schema), postgresEngine(query));
      await query('COMMIT');
      return value;
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
