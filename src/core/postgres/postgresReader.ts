import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { ReadOutcome, RunsReader } from '../database';
import type { ReaderCall, ReaderCalls } from '../model/readCalls';
import { CODEBASES, CONVERSATIONS, EVENTS, RUNS, type Schema, schemaOf } from '../model/schema';
import { describePostgres, openPool, postgresProblem } from './connection';
import { type Query, queryOn } from './namedParams';
import { PostgresQueries } from './postgresQueries';

/** Which columns each Archon table has, in the schemas on the search path. */
async function detectSchema(query: Query, where: string): Promise<Schema> {
  const rows = await query(
    'SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = ANY (current_schemas(false)) AND table_name IN (:runs, :events, :codebases, :conversations)',
    { runs: RUNS, events: EVENTS, codebases: CODEBASES, conversations: CONVERSATIONS },
  );
  const tables = new Map<string, Set<string>>();
  for (const row of rows) {
    const table = String(row.table_name);
    if (!tables.has(table)) tables.set(table, new Set());
    tables.get(table)!.add(String(row.column_name));
  }
  return schemaOf((table) => tables.get(table), where);
}

/** Each read, answered by the query of the same name. */
const CALLS: { [M in ReaderCall]: (q: PostgresQueries, arg: ReaderCalls[M][0]) => Promise<ReaderCalls[M][1]> } = {
  overview: (q, request) => q.overview(request),
  listRuns: (q, filter) => q.listRuns(filter),
  counts: (q, filter) => q.counts(filter),
  getRun: (q, id) => q.getRun(id),
  history: (q, id) => q.history(id),
  events: (q, id) => q.events(id),
  children: (q, id) => q.children(id),
  resolveId: (q, input) => q.resolveId(input),
  watch: (q, request) => q.watch(request),
};

/**
 * The reads of a PostgreSQL database: each in one read-only, repeatable-read transaction (the
 * statements of a read see one snapshot), asynchronous, so the extension host never waits on the
 * network. The schema is looked up once, and again after a read fails.
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
      await query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      this.schema ??= await detectSchema(query, this.description);
      const value = await (CALLS[call] as (q: PostgresQueries, a: ReaderCalls[M][0]) => Promise<ReaderCalls[M][1]>)(new PostgresQueries(query, this.schema), arg);
      await query('COMMIT');
      const fingerprint = createHash('sha1').update(JSON.stringify(value) ?? '').digest('hex');
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
