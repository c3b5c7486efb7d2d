import { WorkflowRunsError } from '../../model/errors';
import type { Params } from '../../predicates';

/** One statement of a write transaction, with the parameters it binds (bare names). */
export interface Statement {
  sql: string;
  params: Params;
}

/**
 * A write transaction for a writer engine: run `statements` in order inside `BEGIN IMMEDIATE` ...
 * `COMMIT`, then return the rows of `result` (a SELECT run just before the commit).
 */
export interface WriteScript {
  statements: Statement[];
  result: Statement;
}

export type EngineName = 'node-sqlite' | 'sqlite3';
export type EngineChoice = 'auto' | EngineName;

export type ResultRow = Record<string, string | number | null>;

/**
 * A real SQLite that takes the OS file locks, so concurrent writers (the Archon server, the CLI,
 * other windows) serialize with us. sql.js is never one: it cannot lock and cannot see the log.
 */
export interface WriterEngine {
  readonly name: EngineName;
  /** Human description, e.g. "node:sqlite (SQLite 3.50.4)". */
  readonly description: string;
  /**
   * Runs the script in one write transaction. Throws `WorkflowRunsError('busy')` when the database
   * stayed locked past the busy timeout (nothing changed), `uncertain` when the engine stopped where
   * the commit may have happened, `write-failed` otherwise. Always settles.
   */
  run(dbPath: string, script: WriteScript): Promise<ResultRow[]>;
  /** Releases what the engine holds between writes (node:sqlite's worker thread) once queued writes are done. */
  dispose?(): void;
}

/** How long a writer waits for another process's lock before giving up (milliseconds). */
export const BUSY_TIMEOUT_MS = 5000;
/** How long a write may run beyond the busy timeout before its engine is stopped and the run read again. */
export const RUN_GRACE_MS = 15000;

/** Another process held the write lock past the busy timeout: the transaction was rolled back. */
export function busy(): WorkflowRunsError {
  return new WorkflowRunsError('busy', 'The database is busy (another process holds its write lock); nothing changed. Retry.');
}

/** The engine stopped where the commit may or may not have happened: re-read before saying anything. */
export function uncertain(reason: string): WorkflowRunsError {
  return new WorkflowRunsError('uncertain', `${reason}; whether the change was made is not known.`);
}

/** SQLite's primary result codes for a lock we could not get. */
export function isBusyCode(code: number | undefined): boolean {
  return code !== undefined && ((code & 0xff) === 5 || (code & 0xff) === 6);
}

/** The parameters a statement actually names (`:name`), so strict binders are not given extras. */
export function usedParams(statement: Statement): Params {
  const out: Params = {};
  for (const [key, value] of Object.entries(statement.params)) {
    if (new RegExp(`:${key}\\b`).test(statement.sql)) out[key] = value;
  }
  return out;
}
