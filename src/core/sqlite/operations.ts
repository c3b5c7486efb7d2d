import { randomUUID } from 'node:crypto';
import { isProblem } from '../model/errors';
import type { CancelOutcome, Common, OperationResult, ResumeOutcome } from '../model/operations';
import { cancellablePredicate, resumablePredicate } from '../predicates';
import { EVENTS, RUNS } from '../model/schema';
import type { ResultRow, WriterEngine, WriteScript } from './writers/writer';

/** `metadata` with its top-level `error` removed; text that is not a JSON object is left untouched. */
const METADATA_WITHOUT_ERROR =
  `CASE WHEN json_valid(metadata) THEN CASE WHEN json_type(metadata) = 'object'` +
  ` THEN json_patch(metadata, '{"error":null}') ELSE metadata END ELSE metadata END`;

/** `metadata.error` when it is a string; NULL for anything else, malformed JSON included. */
const METADATA_ERROR =
  `CASE WHEN json_valid(metadata) THEN CASE WHEN json_type(metadata, '$.error') = 'text'` +
  ` THEN json_extract(metadata, '$.error') END END`;

const STATUS_NOW = `(SELECT status FROM ${RUNS} WHERE id = :runId)`;

/**
 * The resume compare-and-swap, in one write transaction (Archon PR #1830):
 * remember the old `metadata.error`; claim the row only where the shared resumable predicate still
 * holds; record whether we won; only the winner, and only when an error was cleared, writes a
 * `workflow_resumed` event. A loser writes nothing.
 */
export function resumeScript(runId: string, eventId: string = randomUUID()): WriteScript {
  const resumable = resumablePredicate('sqlite');
  return {
    statements: [
      { sql: 'DROP TABLE IF EXISTS temp.wr_resume', params: {} },
      {
        sql: `CREATE TEMP TABLE wr_resume AS SELECT ${METADATA_ERROR} AS old_error, 0 AS won FROM ${RUNS} WHERE id = :runId`,
        params: { runId },
      },
      {
        sql:
          `UPDATE ${RUNS} SET status = 'running', completed_at = NULL, started_at = datetime('now'),` +
          ` last_activity_at = datetime('now'), metadata = ${METADATA_WITHOUT_ERROR}` +
          ` WHERE id = :runId AND ${resumable.sql}`,
        params: { runId, ...resumable.params },
      },
      // changes() here is the count of the UPDATE just above: 1 if we claimed the run, 0 if not.
      { sql: 'UPDATE temp.wr_resume SET won = changes()', params: {} },
      {
        sql:
          `INSERT INTO ${EVENTS} (id, workflow_run_id, event_type, data, created_at)` +
          ` SELECT :eventId, :runId, 'workflow_resumed', json_object('error', old_error), datetime('now')` +
          ` FROM temp.wr_resume WHERE won = 1 AND old_error IS NOT NULL AND old_error <> ''`,
        params: { eventId, runId },
      },
    ],
    result: {
      sql: `SELECT (SELECT won FROM temp.wr_resume) AS won, ${STATUS_NOW} AS status`,
      params: { runId },
    },
  };
}

/** The cancel guard: a finished run is never re-stamped or resurrected. */
export function cancelScript(runId: string): WriteScript {
  const cancellable = cancellablePredicate('sqlite');
  return {
    statements: [
      {
        sql: `UPDATE ${RUNS} SET status = 'cancelled', completed_at = datetime('now') WHERE id = :runId AND ${cancellable.sql}`,
        params: { runId, ...cancellable.params },
      },
    ],
    // changes() here is the count of the UPDATE above.
    result: { sql: `SELECT changes() AS won, ${STATUS_NOW} AS status`, params: { runId } },
  };
}

/** Only reads the run's status, in a transaction of its own. */
function statusScript(runId: string): WriteScript {
  return { statements: [], result: { sql: `SELECT ${STATUS_NOW} AS status`, params: { runId } } };
}

function statusOf(row: ResultRow | undefined): string | null {
  return row?.status === null || row?.status === undefined ? null : String(row.status);
}

async function perform<O extends string>(
  writer: WriterEngine,
  dbPath: string,
  runId: string,
  script: WriteScript,
  won: O,
  lost: O,
): Promise<OperationResult<O | Common>> {
  try {
    const row = (await writer.run(dbPath, script))[0];
    const status = statusOf(row);
    if (status === null) return { outcome: 'not-found', runId, status };
    return { outcome: Number(row.won) === 1 ? won : lost, runId, status };
  } catch (err) {
    if (isProblem(err, 'busy')) return { outcome: 'busy', runId, status: null };
    if (!isProblem(err, 'uncertain')) throw err;
    // Say nothing about the write without looking at the run again.
    const status = await writer.run(dbPath, statusScript(runId)).then(
      (rows) => statusOf(rows[0]),
      () => null,
    );
    return { outcome: 'uncertain', runId, status, detail: err.message };
  }
}

/** Claims a run for resumption if, and only if, it is still resumable. */
export function resumeRun(writer: WriterEngine, dbPath: string, runId: string): Promise<OperationResult<ResumeOutcome>> {
  return perform(writer, dbPath, runId, resumeScript(runId), 'resumed', 'not-resumable');
}

/** Cancels a run unless it already finished; a no-op reports the status it has. */
export function cancelRun(writer: WriterEngine, dbPath: string, runId: string): Promise<OperationResult<CancelOutcome>> {
  return perform(writer, dbPath, runId, cancelScript(runId), 'cancelled', 'nothing-to-cancel');
}
