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
  /** The key a row is ranked and fetched by: SQLite's rowid (the table's order), PostgreSQL's id. */
  key(alias: string): string;
  /** Rows whose key is in a JSON array bound as text. */
  keyIn(alias: string, param: string): string;
  /** Rows whose id is in a JSON array bound as text. */
  idIn(alias: string, param: string): string;
  /** An expression's value is in a JSON array bound as text (numbers for SQLite's numbers, strings for text). */
  inList(expr: string, param: string): string;
  /**
   * The bucket of a run's key the status watch compares sets of keys by (see `RunSql.statusBuckets`),
   * and a hash of the key whose sum over a bucket changes when its keys do.
   */
  bucket(alias: string): string;
  keyHash(alias: string): string;
  /** Whether `id` can name a run at all (PostgreSQL's ids are UUIDs); one that cannot is never sent. */
  isId(id: string): boolean;
  /** A column as text (PostgreSQL's ids are UUIDs, compared and returned as text). */
  text(expr: string): string;
  /** A named parameter of a type PostgreSQL cannot infer where it stands (in a CASE, say). */
  param(name: string, type: 'int' | 'text'): string;
  /** A date column as a sort key that puts NULL first on both (SQLite does; PostgreSQL puts it last). */
  sortableTime(expr: string): string;
  contains(haystack: string, needle: string): string;
  startsWith(s: string, prefix: string): string;
  /** The first `param` characters of a text. */
  head(text: string, param: string): string;
  /** A JSON column's field at `path` when it is a string, as text; NULL otherwise, and where the column holds no valid JSON. */
  jsonString(json: string, path: string[]): string;
  /** A JSON column's field at `path` when it is an object, without the keys `without`, as JSON text; NULL otherwise. */
  jsonObject(json: string, path: string[], without: string[]): string;
  /**
   * A JSON column's text where the JSON functions above cannot read it (SQLite's stop at 1,000
   * levels of nesting) and it is at most `maxChars` long, to be read in JavaScript instead; else NULL.
   */
  unreadJson(json: string, maxChars: number): string;
  /** Newest first, NULL start times last, on both. */
  newest(startedAt: string): string;
  /** How many rows satisfy a condition, as a number. */
  countIf(condition: string): string;
  count: string;
  /** A table scan in table order (SQLite: faster than walking an index and looking each row up). */
  scan: string;
  false: string;
}

/** A JSON path in SQLite's spelling (the names are ours, never from input). */
const sqlitePath = (path: string[]) => `'$.${path.join('.')}'`;
/** The same in PostgreSQL's (`#>` / `#>>`). */
const postgresPath = (path: string[]) => `'{${path.join(',')}}'`;
const postgresArray = (keys: string[]) => `'{${keys.join(',')}}'::text[]`;

export const DIALECTS: Record<Dialect, DialectParts> = {
  sqlite: {
    key: (alias) => `${alias}.rowid`,
    keyIn: (alias, param) => `${alias}.rowid IN (SELECT value FROM json_each(${param}))`,
    idIn: (alias, param) => `${alias}.id IN (SELECT value FROM json_each(${param}))`,
    inList: (expr, param) => `${expr} IN (SELECT value FROM json_each(${param}))`,
    // 4,096 rowids a bucket: Archon adds runs at the end, so most buckets hold for good.
    bucket: (alias) => `(${alias}.rowid >> 12)`,
    // Knuth's multiplicative hash, kept to 32 bits (a sum of 4,096 of them stays exact).
    keyHash: (alias) => `((${alias}.rowid * 2654435761) & 4294967295)`,
    isId: () => true,
    text: (expr) => expr,
    param: (name) => `:${name}`,
    sortableTime: (expr) => `coalesce(${expr}, '')`,
    contains: (h, n) => `instr(${h}, ${n}) > 0`,
    startsWith: (s, p) => `substr(${s}, 1, length(${p})) = ${p}`,
    head: (text, p) => `substr(${text}, 1, ${p})`,
    // json_valid first: SQLite's JSON functions fail on malformed text. One parse serves the row's
    // calls (SQLite caches the parse of a value within a statement).
    jsonString: (json, path) => `(CASE WHEN json_valid(${json}) AND json_type(${json}, ${sqlitePath(path)}) = 'text' THEN ${json} ->> ${sqlitePath(path)} END)`,
    jsonObject: (json, path, without) =>
      `(CASE WHEN json_valid(${json}) AND json_type(${json}, ${sqlitePath(path)}) = 'object' THEN json_remove(${json} -> ${sqlitePath(path)}, ${without.map((key) => `'$.${key}'`).join(', ')}) END)`,
    unreadJson: (json, maxChars) => `(CASE WHEN NOT json_valid(${json}) AND length(${json}) <= ${maxChars} THEN ${json} END)`,
    newest: (startedAt) => `${startedAt} DESC, r.rowid DESC`,
    countIf: (condition) => `sum(${condition})`,
    count: 'count(*)',
    scan: ' NOT INDEXED',
    false: '0',
  },
  postgres: {
    key: (alias) => `${alias}.id`,
    keyIn: (alias, param) => `${alias}.id IN (SELECT jsonb_array_elements_text(${param}::jsonb)::uuid)`,
    idIn: (alias, param) => `${alias}.id IN (SELECT jsonb_array_elements_text(${param}::jsonb)::uuid)`,
    inList: (expr, param) => `${expr} IN (SELECT jsonb_array_elements_text(${param}::jsonb))`,
    // Ids are random: their first two hex digits make 256 buckets of about equal size.
    bucket: (alias) => `left(${alias}.id::text, 2)`,
    keyHash: (alias) => `hashtext(${alias}.id::text)`,
    isId: isUuid,
    text: (expr) => `${expr}::text`,
    param: (name, type) => `:${name}::${type}`,
    sortableTime: (expr) => `coalesce(${expr}, '-infinity'::timestamptz)`,
    contains: (h, n) => `strpos(${h}, ${n}::text) > 0`,
    startsWith: (s, p) => `left(${s}, length(${p}::text)) = ${p}::text`,
    head: (text, p) => `left(${text}, ${p}::int)`,
    jsonString: (json, path) => `(CASE WHEN jsonb_typeof(${json} #> ${postgresPath(path)}) = 'string' THEN ${json} #>> ${postgresPath(path)} END)`,
    jsonObject: (json, path, without) =>
      `(CASE WHEN jsonb_typeof(${json} #> ${postgresPath(path)}) = 'object' THEN ((${json} #> ${postgresPath(path)}) - ${postgresArray(without)})::text END)`,
    // JSONB was parsed when it was written: it is always read.
    unreadJson: () => 'NULL',
    newest: (startedAt) => `${startedAt} DESC NULLS LAST, r.id DESC`,
    countIf: (condition) => `count(*) FILTER (WHERE ${condition})::int`,
    count: 'count(*)::int',
    scan: '',
    false: 'false',
  },
};
