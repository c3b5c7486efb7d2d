import { WorkflowRunsError } from '../model/errors';
import { RUNS, type Schema, schemaOf } from '../model/schema';
import type { Queryable } from './queryable';

function columns(db: Queryable, table: string): Set<string> | undefined {
  const names = db.all('SELECT name FROM pragma_table_info(:table)', { table }).map((row) => String(row.name));
  return names.length ? new Set(names) : undefined;
}

/** Reads which tables and columns exist (see `schemaOf`). */
export function detectSchema(db: Queryable, dbPath: string): Schema {
  try {
    columns(db, RUNS);
  } catch (err) {
    throw new WorkflowRunsError('not-a-database', `${dbPath} is not a readable SQLite database (${(err as Error).message}).`);
  }
  return schemaOf((table) => columns(db, table), dbPath);
}
