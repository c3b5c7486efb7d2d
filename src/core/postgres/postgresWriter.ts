import type pg from 'pg';
import type { RunsWriter } from '../database';
import type { CancelOutcome, Common, OperationResult, ResumeOutcome } from '../model/operations';
import { metadataError } from '../model/runModel';
import type { Schema } from '../model/schema';
import { cancellablePredicate, resumablePredicate } from '../predicates';
import { describePostgres, LOCK_TIMEOUT_MS, openPool, postgresProblem } from './connection';
import { type Query, queryOn } from './namedParams';
import { isUuid } from '../dialect';
import { beginPinned, detectSchema } from './postgresSchema';

/** A transaction's own answer, or the status a lost connection leaves to be read again. */
type Written<O extends string> = OperationResult<O | Common>;

/**
 * Resume and Cancel on PostgreSQL, each in one transaction on the server: the row is read and
 * locked (`FOR UPDATE`), the compare-and-swap UPDATE runs with the shared predicate and the bound
 * day count, and only its winner writes the `workflow_resumed` event. A lock held past
 * `lock_timeout` is "busy, nothing changed"; a connection lost while committing is `uncertain`,
 * and the run's status is read again before anything is said. The outcomes are the SQLite ones.
 */
export class PostgresWriter implements RunsWriter {
  private pool: pg.Pool | undefined;
  private schema: Schema | undefined;
  readonly description: string;

  constructor(
    private readonly url: string,
    private readonly lockTimeoutMs = LOCK_TIMEOUT_MS,
  ) {
    this.description = describePostgres(url);
  }

  resume(runId: string): Promise<OperationResult<ResumeOutcome>> {
    return this.write<ResumeOutcome>(runId, async (query, { runs, events }) => {
      const [before] = await query(`SELECT metadata FROM ${runs} WHERE id = :id FOR UPDATE`, { id: runId });
      if (!before) return 'not-found';
      const resumable = resumablePredicate('postgres');
      // `metadata - 'error'` takes the key out, as SQLite's json_patch with null does; a non-object is left as it is.
      const claimed = await query(
        `UPDATE ${runs} SET status = 'running', completed_at = NULL, started_at = NOW(), last_activity_at = NOW(),` +
          ` metadata = CASE WHEN jsonb_typeof(metadata) = 'object' THEN metadata - 'error' ELSE metadata END` +
          ` WHERE id = :id AND ${resumable.sql} RETURNING id`,
        { id: runId, ...resumable.params },
      );
      const cleared = metadataError(before.metadata);
      if (claimed.length === 1 && cleared !== null) {
        await query(`INSERT INTO ${events} (workflow_run_id, event_type, data) VALUES (:id, 'workflow_resumed', jsonb_build_object('error', :error::text))`, {
          id: runId,
          error: cleared,
        });
      }
      return claimed.length === 1 ? 'resumed' : 'not-resumable';
    });
  }

  cancel(runId: string): Promise<OperationResult<CancelOutcome>> {
    return this.write<CancelOutcome>(runId, async (query, { runs }) => {
      const cancellable = cancellablePredicate('postgres');
      const cancelled = await query(`UPDATE ${runs} SET status = 'cancelled', completed_at = NOW() WHERE id = :id AND ${cancellable.sql} RETURNING id`, {
        id: runId,
        ...cancellable.params,
      });
      return cancelled.length === 1 ? 'cancelled' : 'nothing-to-cancel';
    });
  }

  /** Runs `body` in one transaction and reports its outcome with the run's status as the transaction saw it last. */
  private async write<O extends string>(runId: string, body: (query: Query, tables: Schema['names']) => Promise<O | 'not-found'>): Promise<Written<O>> {
    if (!isUuid(runId)) return { outcome: 'not-found', runId, status: null };
    let client: pg.PoolClient;
    try {
      client = await this.connect();
    } catch (err) {
      throw postgresProblem(err, this.url);
    }
    const query = queryOn(client);
    let committing = false;
    let broken = false;
    let tables: Schema['names'] | undefined;
    try {
      const schemas = await beginPinned(client, `BEGIN; SET LOCAL lock_timeout = '${Math.round(this.lockTimeoutMs)}ms'`);
      this.schema ??= await detectSchema(query, schemas, this.description);
      tables = this.schema.names;
      const outcome = await body(query, tables);
      const [row] = await query(`SELECT status FROM ${tables.runs} WHERE id = :id`, { id: runId });
      committing = true;
      await query('COMMIT');
      // A run that is not there was not found, whatever the UPDATE said (it changed nothing).
      return row ? { outcome, runId, status: String(row.status) } : { outcome: 'not-found', runId, status: null };
    } catch (err) {
      // A transaction that failed is rolled back when its connection goes; it is not used again.
      broken = true;
      client.release(true);
      this.schema = undefined;
      const problem = postgresProblem(err, this.url);
      if (problem.kind === 'busy') return { outcome: 'busy', runId, status: null };
      if (!committing || problem.kind !== 'unreachable') throw problem;
      // The COMMIT may or may not have reached the server: say nothing without looking again.
      return { outcome: 'uncertain', runId, status: await this.statusNow(runId, tables!.runs), detail: `${problem.message} Whether the change was made is not known.` };
    } finally {
      if (!broken) client.release();
    }
  }

  private async statusNow(runId: string, runs: string): Promise<string | null> {
    try {
      const client = await this.connect();
      let done = false;
      try {
        await beginPinned(client, 'BEGIN READ ONLY');
        const [row] = await queryOn(client)(`SELECT status FROM ${runs} WHERE id = :id`, { id: runId });
        await client.query('COMMIT');
        done = true;
        return row ? String(row.status) : null;
      } finally {
        client.release(!done);
      }
    } catch {
      return null;
    }
  }

  private connect(): Promise<pg.PoolClient> {
    this.pool ??= openPool(this.url, 2);
    return this.pool.connect();
  }

  dispose(): void {
    const pool = this.pool;
    this.pool = undefined;
    void pool?.end().catch(() => undefined);
  }
}

