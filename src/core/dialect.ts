import type { Dialect } from './predicates';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a run id can be one on PostgreSQL (a UUID): anything else names no run, and is never sent as one. */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}

/**
 * What SQLite and PostgreSQL spell differently in the statements both engines run (runSql.ts):
 * everything else of a read is written once. `r` is the runs table's alias.
 */
export interface DialectParts {
  /** The key a run is ranked and followed by: SQLite's rowid (the table's order), PostgreSQL's id. */
  key: string;
  /** Whether `id` can name a run at all (PostgreSQL's ids are UUIDs); one that cannot is never sent. */
  isId(id: string): boolean;
  /** A column as text (PostgreSQL's ids are UUIDs, compared and returned as text). */
  text(expr: string): string;
  /** A named parameter of a type PostgreSQL cannot infer where it stands (in a CASE, say). */
  param(name: string, type: 'int' | 'text' | 'timestamptz'): string;
  /** A date column as a sort key that puts NULL first on both (SQLite does; PostgreSQL puts it last). */
  sortableTime(expr: string): string;
  /** That key as text, whole (node-postgres would make a Date of it and drop the microseconds). */
  timeText(expr: string): string;
  contains(haystack: string, needle: string): string;
  startsWith(s: string, prefix: string): string;
  /** Newest first, NULL start times last, on both. */
  newest(startedAt: string): string;
  /** How many rows satisfy a condition, as a number. */
  countIf(condition: string): string;
  count: string;
  /** The elements of a JSON array bound as text, as a one-column subquery. */
  elements(param: string): string;
  /** A table scan in table order (SQLite: faster than walking an index and looking each row up). */
  scan: string;
  false: string;
}

export const DIALECTS: Record<Dialect, DialectParts> = {
  sqlite: {
    key: 'r.rowid',
    isId: () => true,
    text: (expr) => expr,
    param: (name) => `:${name}`,
    sortableTime: (expr) => `coalesce(${expr}, '')`,
    timeText: (expr) => expr,
    contains: (h, n) => `instr(${h}, ${n}) > 0`,
    startsWith: (s, p) => `substr(${s}, 1, length(${p})) = ${p}`,
    newest: (startedAt) => `${startedAt} DESC, r.rowid DESC`,
    countIf: (condition) => `sum(${condition})`,
    count: 'count(*)',
    elements: (param) => `SELECT value FROM json_each(${param})`,
    scan: ' NOT INDEXED',
    false: '0',
  },
  postgres: {
    key: 'r.id',
    isId: isUuid,
    text: (expr) => `${expr}::text`,
    param: (name, type) => `:${name}::${type}`,
    sortableTime: (expr) => `coalesce(${expr}, '-infinity'::timestamptz)`,
    timeText: (expr) => `${expr}::text`,
    contains: (h, n) => `strpos(${h}, ${n}::text) > 0`,
    startsWith: (s, p) => `left(${s}, length(${p}::text)) = ${p}::text`,
    newest: (startedAt) => `${startedAt} DESC NULLS LAST, r.id DESC`,
    countIf: (condition) => `count(*) FILTER (WHERE ${condition})::int`,
    count: 'count(*)::int',
    elements: (param) => `SELECT jsonb_array_elements_text(${param}::jsonb)`,
    scan: '',
    false: 'false',
  },
};
