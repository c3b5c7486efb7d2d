import { WorkflowRunsError } from './errors';

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

/**
 * The schema from the columns each table has (however the engine lists them). Older Archon
 * databases lack columns added later (`outcome`, `output_root`, `parent_run_id`, `user_id`,
 * `event_order`): callers check `has()`. Without the runs table, or its key columns, it is no
 * Archon database: `missing-tables`, named `where`.
 */
export function schemaOf(columns: (table: string) => Set<string> | undefined, where: string): Schema {
  const runs = columns(RUNS);
  if (!runs) throw new WorkflowRunsError('missing-tables', `${where} has no ${RUNS} table: it is not an Archon database.`);
  const missing = REQUIRED_RUN_COLUMNS.filter((c) => !runs.has(c));
  if (missing.length) throw new WorkflowRunsError('missing-tables', `${RUNS} in ${where} lacks ${missing.join(', ')}: unsupported schema.`);
  return { runs, events: columns(EVENTS), codebases: columns(CODEBASES), conversations: columns(CONVERSATIONS) };
}
