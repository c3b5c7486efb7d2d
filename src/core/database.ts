import type { CancelOutcome, OperationResult, ResumeOutcome } from './model/operations';
import type { ReaderCall, ReaderCalls, StreamCall, StreamCalls } from './model/readCalls';

/**
 * Where the runs are: Archon's SQLite file, or the PostgreSQL server its `DATABASE_URL` names.
 * `source` says who chose it, for messages. A PostgreSQL URL may hold a password: it is never
 * shown, logged or put in an error (see `describeTarget`).
 */
export type DatabaseTarget = { engine: 'sqlite'; dbPath: string; source: string } | { engine: 'postgres'; url: string; source: string };

/** A read's answer, with a fingerprint of the data read (equal fingerprints, equal data) and how it went. */
export interface ReadOutcome<T> {
  value: T;
  fingerprint: string;
  /** How the read went, for the log at debug level. */
  log: string;
  /** Why reads may be slow or stale now, for the log at info level (once). */
  warning?: string;
}

/** The reads of one database, on either engine: the vscode layer and the CLI know only this. */
export interface RunsReader {
  read<M extends ReaderCall>(call: M, arg: ReaderCalls[M][0]): Promise<ReadOutcome<ReaderCalls[M][1]>>;
  /**
   * A read whose items may be many (`StreamCalls`), from one snapshot as `read`, handing its parts
   * to `each` as they are read: what `each` does with a part (print it) is done before the next is
   * read, so memory holds one batch however many there are. (A SQLite read without a guard may be
   * done again: its parts are handed over once it is known to be consistent.)
   */
  stream<M extends StreamCall>(call: M, arg: StreamCalls[M][0], each: (part: StreamCalls[M][1]) => void): Promise<StreamCalls[M][2]>;
  /** Gives back what is kept between reads (memory, connections) while nobody reads; a later read takes it again. */
  release(): void;
  dispose(): void;
}

/** The compare-and-swap writes of one database, on either engine. */
export interface RunsWriter {
  /** e.g. "node:sqlite (SQLite 3.50.4)" or "PostgreSQL 16.4". */
  readonly description: string;
  /** Claims the run if, and only if, it is still resumable. */
  resume(runId: string): Promise<OperationResult<ResumeOutcome>>;
  /** Cancels the run unless it already finished. */
  cancel(runId: string): Promise<OperationResult<CancelOutcome>>;
  dispose(): void;
}
