import { WorkflowRunsError } from './errors';

export const RUNS = 'remote_agent_workflow_runs';
export const EVENTS = 'remote_agent_workflow_events';
export const CODEBASES = 'remote_agent_codebases';
export const CONVERSATIONS = 'remote_agent_conversations';

export type Table = 'runs' | 'events' | 'codebases' | 'conversations';

/** Each table's name, as Archon names it. */
export const TABLES: Record<Table, string> = { runs: RUNS, events: EVENTS, codebases: CODEBASES, conversations: CONVERSATIONS };

/** The columns each Archon table has in this database; tables that are absent are undefined. */
export interface Schema {
  runs: Set<string>;
  events?: Set<string>;
  codebases?: Set<string>;
  conversations?: Set<string>;
  /**
   * Each table as a statement names it: the bare name on SQLite; on PostgreSQL qualified with the
   * schema it was found in, since our statements run with only pg_catalog on the search_path.
   */
  names: Record<Table, string>;
}

/** Without these a run cannot be listed at all. */
const REQUIRED_RUN_COLUMNS = ['id', 'workflow_name', 'status'];

/**
 * The schema from the columns each table has (however the engine lists them). Older Archon
 * databases lack columns added later (`outcome`, `output_root`, `parent_run_id`, `user_id`,
 * `event_order`): callers check `has()`. Without the runs table, or its key columns, it is no
 * Archon database: `missing-tables`, named `where`.
 */
export function schemaOf(columns: (table: string) => Set<string> | undefined, where: string, names: Record<Table, string> = TABLES): Schema {
  const runs = columns(RUNS);
  if (!runs) throw new WorkflowRunsError('missing-tables', `${where} has no ${RUNS} table: it is not an Archon database.`);
  const missing = REQUIRED_RUN_COLUMNS.filter((c) => !runs.has(c));
  if (missing.length) throw new WorkflowRunsError('missing-tables', `${RUNS} in ${where} lacks ${missing.join(', ')}: unsupported schema.`);
  return { runs, events: columns(EVENTS), codebases: columns(CODEBASES), conversations: columns(CONVERSATIONS), names };
}
