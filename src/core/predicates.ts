/**
 * The SQL predicates that decide what Resume and Cancel may touch and what waits on a person, for
 * both dialects. Each is built here and only here, once per dialect: the listing of resumable runs
 * and the compare-and-swap UPDATE call the same builder, so they cannot drift apart (Archon's own
 * bug C1 was a dialect's placeholder drifting). Values are bound parameters, named (`:staleDays`)
 * in both dialects and never interpolated; PostgreSQL's numbered placeholders are made from the
 * names in one place (postgres/namedParams.ts).
 */

/** Parameter values by bare name; each engine adds the prefix its binding API wants. */
export type Params = Record<string, string | number | null>;

export interface Predicate {
  sql: string;
  params: Params;
}

export type Dialect = 'sqlite' | 'postgres';

/** A `running` row with no heartbeat for this many days is an orphan whose executor died. */
export const ORPHAN_RESUME_STALE_DAYS = 1;

function column(alias: string | undefined, name: string): string {
  return alias ? `${alias}.${name}` : name;
}

/** The time `:staleDays` days ago, in the dialect's own date arithmetic (SQLite stores UTC text). */
const STALE_BEFORE: Record<Dialect, string> = {
  sqlite: "datetime('now', '-' || :staleDays || ' days')",
  postgres: "(NOW() - (:staleDays || ' days')::interval)",
};

/** A `running` row whose executor stopped heartbeating: shown as "interrupted", resumable. */
export function staleRunningPredicate(dialect: Dialect, alias?: string, staleDays = ORPHAN_RESUME_STALE_DAYS): Predicate {
  const status = column(alias, 'status');
  const activity = column(alias, 'last_activity_at');
  return {
    sql: `(${status} = 'running' AND (${activity} IS NULL OR ${activity} < ${STALE_BEFORE[dialect]}))`,
    params: { staleDays },
  };
}

/**
 * A running row's `last_activity_at` while it is not stale yet, else NULL. The smallest of these is
 * the first to turn stale as time passes: counts that involve staleness hold until then (SQLite's
 * kept overview parts use it).
 */
export function turnsStaleFrom(dialect: Dialect, alias?: string, staleDays = ORPHAN_RESUME_STALE_DAYS): Predicate {
  const stale = staleRunningPredicate(dialect, alias, staleDays);
  return {
    sql: `(CASE WHEN ${column(alias, 'status')} = 'running' AND NOT ${stale.sql} THEN ${column(alias, 'last_activity_at')} END)`,
    params: stale.params,
  };
}

/** Failed, paused, or a stale running orphan: the only rows Resume may claim. */
export function resumablePredicate(dialect: Dialect, alias?: string, staleDays = ORPHAN_RESUME_STALE_DAYS): Predicate {
  const stale = staleRunningPredicate(dialect, alias, staleDays);
  return {
    sql: `(${column(alias, 'status')} IN ('failed', 'paused') OR ${stale.sql})`,
    params: stale.params,
  };
}

/** Anything not finished: Cancel never re-stamps or resurrects a completed or cancelled run. */
export function cancellablePredicate(_dialect: Dialect, alias?: string): Predicate {
  return {
    sql: `(${column(alias, 'status')} NOT IN ('completed', 'cancelled'))`,
    params: {},
  };
}

/**
 * A run paused at a gate that waits on a person: paused, its gate not yet resolved (Archon's
 * `unresolvedGateClause`: no `metadata.approval.resolved`), and not a parent that only waits on a
 * child run (`child_workflow`: the child's own gate is the one to answer). Malformed metadata is
 * read as no resolution, never as an error. CASE, not AND: only paused runs' metadata is parsed,
 * in a count over every run too.
 */
export function openGatePredicate(dialect: Dialect, alias?: string): Predicate {
  const status = column(alias, 'status');
  const metadata = column(alias, 'metadata');
  const field =
    dialect === 'sqlite'
      ? (path: string) => `(CASE WHEN json_valid(${metadata}) THEN json_extract(${metadata}, '$.approval.${path}') END)`
      : (path: string) => `(${metadata} -> 'approval' ->> '${path}')`;
  return {
    sql: `(CASE WHEN ${status} = 'paused' THEN ${field('resolved')} IS NULL AND coalesce(${field('type')}, '') <> 'child_workflow' ELSE ${dialect === 'sqlite' ? '0' : 'false'} END)`,
    params: {},
  };
}
