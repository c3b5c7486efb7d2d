import type { DatabaseTarget, RunsReader, RunsWriter } from './database';
import { describePostgres } from './postgres/connection';
import { PostgresReader } from './postgres/postgresReader';
import { PostgresWriter } from './postgres/postgresWriter';
import type { SnapshotOptions } from './sqlite/snapshot/snapshotDatabase';
import { SqliteReader } from './sqlite/sqliteReader';
import { SqliteWriter } from './sqlite/sqliteWriter';
import { selectWriter, type WriterOptions } from './sqlite/writers/selectWriter';

export interface ReaderOptions {
  /** SQLite: how reads are guarded, and how much memory the pages read may take. */
  snapshot?: SnapshotOptions;
  /** SQLite: on a reader thread (the extension) or in the calling thread (the CLI). */
  thread?: boolean;
}

/** The reads of the database, on its engine. */
export function openReader(target: DatabaseTarget, options: ReaderOptions = {}): RunsReader {
  return target.engine === 'postgres' ? new PostgresReader(target.url) : new SqliteReader(target.dbPath, options.snapshot ?? {}, { thread: options.thread ?? false });
}

/** The writes of the database: on SQLite through the writer engine the options choose (it may be missing). */
export async function openWriter(target: DatabaseTarget, options: WriterOptions = {}): Promise<RunsWriter> {
  return target.engine === 'postgres' ? new PostgresWriter(target.url) : new SqliteWriter(await selectWriter(options), target.dbPath);
}

/** The database in words, for messages: its path, or the PostgreSQL server without the password. */
export function describeTarget(target: DatabaseTarget): string {
  return target.engine === 'postgres' ? describePostgres(target.url) : target.dbPath;
}
