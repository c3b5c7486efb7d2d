/**
 * The SQL predicates that decide what Resume and Cancel may touch. Each is built here and only here:
 * the listing of resumable runs and the compare-and-swap UPDATE call the same builder, so they
 * cannot drift apart. Values are bound parameters, never interpolated.
 */

/** Parameter values by bare name; each engine adds the prefix its binding API wants. */
export type Params = Record<string, string | number | null>;

export interface Predicate {
  sql: string;
  params: Params;
}

/** A `running` row with no heartbeat for this many days is an orphan whose executor died. */
export const ORPHAN_RESUME_STALE_DAYS = 1;

function column(alias: string | undefined, name: string): string {
  return alias ? `${alias}.${name}` : name;
}

/** A `running` row whose executor stopped heartbeating: shown as "interrupted", resumable. */
export function staleRunningPredicate(alias?: string, staleDays = ORPHAN_RESUME_STALE_DAYS): Predicate {
  const status = column(alias, 'status');
  const activity = column(alias, 'last_activity_at');
  return {
    sql: `(${status} = 'running' AND (${activity} IS NULL OR ${activity} < datetime('now', '-' || :staleDays || ' days')))`,
    params: { staleDays },
  };
}

/**
 * A running row's `last_activity_at` while it is not stale yet, else NULL. The smallest of these is
 * the first to turn stale as time passes: counts that involve staleness hold until then.
 */
export function turnsStaleFrom(alias?: string, staleDays = ORPHAN_RESUME_STALE_DAYS): Predicate {
  const stale = staleRunningPredicate(alias, staleDays);
  return {
    sql: `(CASE WHEN ${column(alias, 'status')} = 'running' AND NOT ${stale.sql} THEN ${column(alias, 'last_activity_at')} END)`,
    params: stale.params,
  };
}

/** Failed, paused, or a stale running orphan: the only rows Resume may claim. */
export function resumablePredicate(alias?: string, staleDays = ORPHAN_RESUME_STALE_DAYS): Predicate {
  const stale = staleRunningPredicate(alias, staleDays);
  return {
    sql: `(${column(alias, 'status')} IN ('failed', 'paused') OR ${stale.sql})`,
    params: stale.params,
  };
}

/** Anything not finished: Cancel never re-stamps or resurrects a completed or cancelled run. */
export function cancellablePredicate(alias?: string): Predicate {
  return {
    sql: `(${column(alias, 'status')} NOT IN ('completed', 'cancelled'))`,
    params: {},
  };
}

/**
 * A run paused at a gate that waits on a person: paused, its gate not yet resolved (Archon's
 * `unresolvedGateClause`: no `metadata.approval.resolved`), and not a parent that only waits on a
 * child run (`child_workflow`: the child's own gate is the one to answer). Malformed metadata is
 * read as no resolution, never as an error.
 */
export function openGatePredicate(alias?: string): Predicate {
  const status = column(alias, 'status');
  const metadata = column(alias, 'metadata');
  const field = (path: string) => `(CASE WHEN json_valid(${metadata}) THEN json_extract(${metadata}, '${path}') END)`;
  // CASE, not AND: only paused runs' metadata is parsed, in a count over every run too.
  return {
    sql: `(CASE WHEN ${status} = 'paused' THEN ${field('$.approval.resolved')} IS NULL AND coalesce(${field('$.approval.type')}, '') <> 'child_workflow' ELSE 0 END)`,
    params: {},
  };
}
