import { WorkflowRunsError } from '../../model/errors';

/**
 * A read guard: a read transaction held in a real SQLite (one that takes the OS file locks) on the
 * database while sql.js reads the snapshot. In WAL mode the guard's read mark keeps every
 * checkpoint from copying frames past it into the main file and keeps the log from being
 * restarted. A guard that began when every frame had been copied holds read mark 0 instead: no
 * checkpoint copies anything then, but the log may be restarted (or truncated) once, so a scan
 * whose log header changed under it is done again. In rollback-journal mode its SHARED lock keeps
 * writers from changing the main file. So the main file and the log's committed frames read under
 * it are one consistent image. It is held only while a read syncs and queries: never between reads.
 */
export interface ReadGuard {
  readonly name: GuardEngineName;
  /** Human description, e.g. "node:sqlite (SQLite 3.50.4)". */
  readonly description: string;
  /**
   * Opens `dbPath` read-only (never creating it) and begins a read transaction. Throws
   * `WorkflowRunsError('busy')` when a writer held the database past the busy timeout, and any
   * other error when this engine cannot guard this file (the reader then reads without a guard).
   */
  acquire(dbPath: string): Promise<GuardLease>;
  /** Ends what the engine keeps between reads (the sqlite3 shell's process). */
  dispose(): void;
}

export interface GuardLease {
  /** Ends the read transaction and closes the file. */
  release(): Promise<void>;
}

export type GuardEngineName = 'node-sqlite' | 'sqlite3';
export type GuardChoice = 'auto' | GuardEngineName | 'none';

/** How long a guard waits for a writer's lock (rollback mode; WAL readers do not wait). */
export const GUARD_BUSY_TIMEOUT_MS = 2000;

/** A writer held the database past the guard's busy timeout: the read did not happen. */
export function readBusy(dbPath: string): WorkflowRunsError {
  return new WorkflowRunsError('busy', `Another process is writing ${dbPath} and held it for over ${GUARD_BUSY_TIMEOUT_MS / 1000} s; try again in a moment.`);
}
