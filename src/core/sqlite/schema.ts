import { WorkflowRunsError } from '../model/errors';
import type { Queryable } from './queryable';

export const RUNS = 'remote_agent_workflow_runs';
export const EVENTS = 'remote_agent_workflow_events';
export const CODEBASES = 'remote_agent_codebases';
export const CONVERSATIONS = 'remote_agent_conversations';

/** The columns each Archon table has in this database; tables that are absent are undefined. */
export interface Schema {
  runs: Set<string>;
  events?: Set<string>;
  codebases?: Set<string>;
  conversations?: Set<string>;
}

/** Without these a run cannot be listed at all. */
const REQUIRED_RUN_COLUMNS = ['id', 'workflow_name', 'status'];

function columns(db: Queryable, table: string): Set<string> | undefined {
  const names = db.all('SELECT name FROM pragma_table_info(:table)', { table }).map((row) => String(row.name));
  return names.length ? new Set(names) : undefined;
}

/**
 * Reads which tables and columns exist. Older Archon databases lack columns added later
 * (`outcome`, `output_root`, `parent_run_id`, `user_id`, `event_order`): callers check `has()`.
 */
export function detectSchema(db: Queryable, dbPath: string): Schema {
  let runs: Set<string> | undefined;
  try {
    runs = columns(db, RUNS);
  } catch (err) {
    throw new WorkflowRunsError('not-a-database', `${dbPath} is not a readable SQLite database (${(err as Error).message}).`);
  }
  if (!runs) {
    throw new WorkflowRunsError('missing-tables', `${dbPath} has no ${RUNS} table: it is not an Archon database.`);
  }
  const missing = REQUIRED_RUN_COLUMNS.filter((c) => !runs.has(c));
  if (missing.length) {
    throw new WorkflowRunsError('missing-tables', `${RUNS} in ${dbPath} lacks ${missing.join(', ')}: unsupported schema.`);
  }
  return {
    runs,
    events: columns(db, EVENTS),
    codebases: columns(db, CODEBASES),
    conversations: columns(db, CONVERSATIONS),
  };
}
