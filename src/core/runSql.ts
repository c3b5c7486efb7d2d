import * as path from 'node:path';
import { DIALECTS, type DialectParts } from './dialect';
import { type RunFilter, STATUSES, SUMMARY_TEXT_MAX } from './model/runModel';
import type { Schema } from './model/schema';
import type { RunKey } from './model/statusWatch';
import { cancellablePredicate, type Dialect, openGatePredicate, type Params, resumablePredicate, staleRunningPredicate, turnsStaleFrom } from './predicates';

/** One statement with its named parameters (see predicates.ts: bound, never interpolated). */
export interface Statement {
  sql: string;
  params: Params;
}

/** Normalizes a folder for prefix comparison: absolute, no trailing separator. */
function normalizeFolder(folder: string): string {
  const resolved = path.resolve(folder);
  return resolved.length > 1 ? resolved.replace(/[\\/]+$/, '') : resolved;
}

/**
 * Metadata SQLite's JSON functions cannot read (malformed, or nested past their limit) is read in
 * JavaScript instead (see `runFromRow`), when it is at most this long.
 */
const UNREAD_METADATA_MAX = 1 << 20;

/** Clauses ANDed into a WHERE (empty: none). */
function whereOf(clauses: string[]): string {
  return clauses.length ? ` WHERE ${clauses.join(' AND ')}` : '';
}

/**
 * The statements both engines read runs with, over the runs table aliased `r`: written once, with
 * only what the dialects spell differently taken from `DialectParts`. Each returns SQL and its
 * parameters; the engine runs it, and reads/runReads.ts turns its rows into the model. `extra`
 * clauses narrow a read further (SQLite's overview reads parts of the table by rowid).
 */
export class RunSql {
  readonly parts: DialectParts;

  constructor(
    readonly dialect: Dialect,
    readonly schema: Schema,
  ) {
    this.parts = DIALECTS[dialect];
  }

  /** A runs column, or `fallback` on a database older than it. */
  column(name: string, fallback = 'NULL'): string {
    return this.schema.runs.has(name) ? `r.${name}` : fallback;
  }

  /** The runs table, as a statement names it. */
  private get runs(): string {
    return this.schema.names.runs;
  }

  /** Newest first: start time, then the key. */
  get newest(): string {
    return this.parts.newest(this.column('started_at'));
  }

  /** The joins that name a run's codebase and platform; a lookup per row, so only where rows are listed. */
  get joins(): string {
    let sql = '';
    if (this.schema.codebases?.has('id')) sql += ` LEFT JOIN ${this.schema.names.codebases} cb ON cb.id = r.codebase_id`;
    if (this.schema.conversations?.has('id') && this.schema.runs.has('conversation_id')) {
      sql += ` LEFT JOIN ${this.schema.names.conversations} cv ON cv.id = r.conversation_id`;
    }
    return sql;
  }

  /**
   * The columns of a `RunSummary` (`runFromRow`), the predicates' verdicts among them, and from the
   * metadata only the error and a paused run's gate, read here; with `details`, those of a
   * `RunDetails` (`detailsFromRow`): the same with texts uncut, and the whole metadata.
   */
  private select(details: boolean): Statement {
    const p = this.parts;
    const resumable = resumablePredicate(this.dialect, 'r');
    const stale = staleRunningPredicate(this.dialect, 'r');
    const cancellable = cancellablePredicate(this.dialect, 'r');
    const gate = openGatePredicate(this.dialect, 'r');
    const hasCodebaseName = this.schema.codebases?.has('name') && this.schema.runs.has('codebase_id');
    const hasCodebaseCwd = this.schema.codebases?.has('default_cwd') && this.schema.runs.has('codebase_id');
    const hasPlatform = this.schema.conversations?.has('platform_type') && this.schema.runs.has('conversation_id');
    const c = (name: string) => `${this.column(name)} AS ${name}`;
    // A list reads one character more than it keeps, so that `runFromRow` knows a text was cut.
    const text = (expr: string) => (details ? expr : p.head(expr, ':textMax'));
    const metadata = this.column('metadata');
    const paused = (expr: string) => `CASE WHEN r.status = 'paused' THEN ${expr} END`;
    const columns = [
      `${p.text('r.id')} AS id`,
      'r.workflow_name AS workflow_name',
      'r.status AS status',
      `${resumable.sql} AS resumable`,
      `${stale.sql} AS interrupted`,
      `${cancellable.sql} AS cancellable`,
      `${gate.sql} AS open_gate`,
      ...['outcome', 'started_at', 'last_activity_at', 'completed_at', 'working_path', 'output_root', 'codebase_id', 'conversation_id', 'parent_run_id', 'current_step_index'].map(c),
      `${text(this.column('user_message'))} AS user_message`,
      `${text(p.jsonString(metadata, ['error']))} AS error`,
      `${paused(p.jsonObject(metadata, ['approval'], ['message', 'onRejectPrompt']))} AS approval`,
      `${paused(text(p.jsonString(metadata, ['approval', 'message'])))} AS gate_message`,
      `${p.unreadJson(metadata, UNREAD_METADATA_MAX)} AS metadata_unread`,
      `${hasCodebaseName ? 'cb.name' : 'NULL'} AS codebase_name`,
      `${hasCodebaseCwd ? 'cb.default_cwd' : 'NULL'} AS project_path`,
      `${hasPlatform ? 'cv.platform_type' : 'NULL'} AS platform`,
      ...(details ? ['metadata', 'user_id', 'parent_conversation_id'].map(c) : []),
    ];
    return { sql: columns.join(', '), params: { ...resumable.params, ...stale.params, ...(details ? {} : { textMax: SUMMARY_TEXT_MAX + 1 }) } };
  }

  /** What a list reads of a run (see `RunSummary`). */
  selectSummary(): Statement {
    return this.select(false);
  }

  /** What one run's details read (see `RunDetails`). */
  selectDetails(): Statement {
    return this.select(true);
  }

  /** The conditions of a filter, to be ANDed; `withStatus` false leaves the status out (for counts). */
  conditions(filter: RunFilter, withStatus = true): { clauses: string[]; params: Params } {
    const text = this.parts;
    const clauses: string[] = [];
    const params: Params = {};
    if (withStatus && filter.statuses?.length) {
      const ors: string[] = [];
      const plain = filter.statuses.filter((s) => s !== 'interrupted');
      if (plain.length) {
        ors.push(`r.status IN (${plain.map((_, i) => `:status${i}`).join(', ')})`);
        plain.forEach((s, i) => (params[`status${i}`] = s));
      }
      if (filter.statuses.includes('interrupted')) {
        const stale = staleRunningPredicate(this.dialect, 'r');
        ors.push(stale.sql);
        Object.assign(params, stale.params);
      }
      clauses.push(`(${ors.join(' OR ')})`);
    }
    for (const [wanted, predicate] of [
      [filter.resumable, resumablePredicate(this.dialect, 'r')],
      [filter.cancellable, cancellablePredicate(this.dialect, 'r')],
      [filter.openGate, openGatePredicate(this.dialect, 'r')],
    ] as const) {
      if (!wanted) continue;
      clauses.push(predicate.sql);
      Object.assign(params, predicate.params);
    }
    const needle = filter.text?.trim();
    if (needle) {
      params.text = needle.toLowerCase();
      const message = this.schema.runs.has('user_message') ? ` OR ${text.contains("lower(coalesce(r.user_message, ''))", ':text')}` : '';
      clauses.push(`(${text.contains('lower(r.workflow_name)', ':text')}${message} OR ${text.startsWith(text.text('r.id'), ':text')})`);
    }
    if (filter.folders?.length) {
      const ors: string[] = [];
      const inCodebase: string[] = [];
      filter.folders.map(normalizeFolder).forEach((folder, i) => {
        params[`folder${i}`] = folder;
        params[`folderPrefix${i}`] = folder.endsWith(path.sep) ? folder : folder + path.sep;
        const inside = (expr: string) => `(${expr} = :folder${i} OR ${text.startsWith(expr, `:folderPrefix${i}`)})`;
        inCodebase.push(inside('default_cwd'));
        if (this.schema.runs.has('working_path')) ors.push(inside('r.working_path'));
      });
      // The few codebases in scope are found once, not joined on every run.
      if (this.schema.codebases?.has('default_cwd') && this.schema.runs.has('codebase_id')) {
        ors.push(`r.codebase_id IN (SELECT id FROM ${this.schema.names.codebases} WHERE ${inCodebase.join(' OR ')})`);
      }
      clauses.push(ors.length ? `(${ors.join(' OR ')})` : text.false);
    }
    return { clauses, params };
  }

  /** The WHERE of a filter and of `extra` clauses; `withStatus` false leaves the filter's status out. */
  where(filter: RunFilter, withStatus = true, extra: Statement[] = []): Statement {
    const { clauses, params } = this.conditions(filter, withStatus);
    for (const e of extra) {
      clauses.push(e.sql);
      Object.assign(params, e.params);
    }
    return { sql: whereOf(clauses), params };
  }

  /**
   * The keys of the runs matching a filter, newest first, a page of them with a limit or an offset.
   * Sorting reads only the keys: the rows of the page are fetched by key (`byKeys`).
   */
  pageKeys(filter: RunFilter): Statement {
    const where = this.where(filter);
    const limit = filter.limit === undefined ? (this.dialect === 'sqlite' ? '-1' : 'ALL') : ':limit';
    return {
      sql: `SELECT ${this.parts.text(this.parts.key('r'))} AS k FROM ${this.runs} r${where.sql} ORDER BY ${this.newest} LIMIT ${limit} OFFSET :offset`,
      params: { ...where.params, ...(filter.limit === undefined ? {} : { limit: filter.limit }), offset: filter.offset ?? 0 },
    };
  }

  /** The runs with these keys, as lists show them, with each one's key (`k`), in no particular order. */
  byKeys(keys: RunKey[]): Statement {
    const select = this.selectSummary();
    return {
      sql: `SELECT ${select.sql}, ${this.parts.text(this.parts.key('r'))} AS k FROM ${this.runs} r${this.joins} WHERE ${this.parts.keyIn('r', ':keys')}`,
      params: { ...select.params, keys: JSON.stringify(keys) },
    };
  }

  /**
   * Counts per status and staleness, how many Resume and Cancel could act on and how many wait on a
   * person, and (in each row) the first `last_activity_at` to turn stale as time passes. In one pass
   * in table order on SQLite (see `DialectParts.scan`).
   */
  tally(filter: RunFilter, extra: Statement[] = []): Statement {
    const p = this.parts;
    const stale = staleRunningPredicate(this.dialect, 'r');
    const resumable = resumablePredicate(this.dialect, 'r');
    const cancellable = cancellablePredicate(this.dialect, 'r');
    const gate = openGatePredicate(this.dialect, 'r');
    const watch = turnsStaleFrom(this.dialect, 'r');
    const where = this.where(filter, false, extra);
    return {
      sql:
        `SELECT r.status AS status, ${stale.sql} AS interrupted, ${p.count} AS n, ${p.countIf(resumable.sql)} AS resumable,` +
        ` ${p.countIf(cancellable.sql)} AS cancellable, ${p.countIf(gate.sql)} AS open_gates, min(min(${watch.sql})) OVER () AS watch` +
        ` FROM ${this.runs} r${p.scan}${where.sql} GROUP BY 1, 2`,
      params: { ...stale.params, ...resumable.params, ...cancellable.params, ...watch.params, ...where.params },
    };
  }

  /**
   * The keys of the newest runs of several status groups, with their group: `limits` maps a status,
   * or `other` for statuses Archon may add, to how many. Ranking reads only each run's status and
   * start time.
   */
  ranked(filter: RunFilter, limits: Record<string, number>, extra: Statement[] = []): Statement {
    const p = this.parts;
    const where = this.where(filter, false, extra);
    const params: Params = { ...where.params };
    const known = STATUSES.map((status, i) => ((params[`known${i}`] = status), `:known${i}`)).join(', ');
    const group = `CASE WHEN r.status IN (${known}) THEN r.status ELSE 'other' END`;
    const limit = Object.keys(limits).map((key, i) => ((params[`group${i}`] = key), (params[`limit${i}`] = limits[key]), `WHEN ${p.param(`group${i}`, 'text')} THEN ${p.param(`limit${i}`, 'int')}`));
    const ranked = `SELECT ${p.key('r')} AS k, ${group} AS grp, row_number() OVER (PARTITION BY ${group} ORDER BY ${this.newest}) AS rn FROM ${this.runs} r${p.scan}${where.sql}`;
    return { sql: `SELECT k, grp FROM (${ranked}) top WHERE rn <= CASE grp ${limit.join(' ')} ELSE 0 END`, params };
  }

  /** The runs `ranked` picks, by group, newest first. */
  newestByGroup(filter: RunFilter, limits: Record<string, number>, extra: Statement[] = []): Statement {
    const select = this.selectSummary();
    const top = this.ranked(filter, limits, extra);
    return {
      sql: `SELECT ${select.sql}, top.grp AS grp FROM (${top.sql}) top JOIN ${this.runs} r ON ${this.parts.key('r')} = top.k${this.joins} ORDER BY top.grp, ${this.newest}`,
      params: { ...select.params, ...top.params },
    };
  }

  /**
   * The runs with this status, in buckets of their keys (see `DialectParts.bucket`): for each
   * bucket, a digest (`d`: the count and the sum of the keys' hashes) that changes when the keys in
   * it do. The status watch reads the keys of only the buckets whose digest changed (`keysInBuckets`).
   */
  statusBuckets(status: string): Statement {
    const p = this.parts;
    return {
      sql: `SELECT ${p.bucket('r')} AS b, ${p.text('count(*)')} || ':' || ${p.text(`sum(${p.keyHash('r')})`)} AS d FROM ${this.runs} r WHERE r.status = :status GROUP BY 1`,
      params: { status },
    };
  }

  /** The keys (`k`) of the runs with this status in these buckets, with their bucket (`b`). */
  keysInBuckets(status: string, buckets: unknown[]): Statement {
    const p = this.parts;
    return {
      sql: `SELECT ${p.text(p.key('r'))} AS k, ${p.bucket('r')} AS b FROM ${this.runs} r WHERE r.status = :status AND ${p.inList(p.bucket('r'), ':buckets')}`,
      params: { status, buckets: JSON.stringify(buckets) },
    };
  }

  /** Running and paused runs matching the filter, by id: whether each is interrupted, or at an open gate. */
  liveRuns(filter: RunFilter): Statement {
    const stale = staleRunningPredicate(this.dialect, 'r');
    const gate = openGatePredicate(this.dialect, 'r');
    const where = this.where({ ...filter, statuses: ['running', 'paused'] });
    return {
      sql: `SELECT ${this.parts.text('r.id')} AS id, r.status AS status, ${stale.sql} AS interrupted, ${gate.sql} AS open_gate FROM ${this.runs} r${where.sql}`,
      params: { ...stale.params, ...where.params },
    };
  }

  /** The runs with these keys or ids that match the filter, as lists show them. */
  summaries(filter: RunFilter, keys: RunKey[], ids: string[]): Statement {
    const select = this.selectSummary();
    const p = this.parts;
    const wanted = { sql: `(${p.keyIn('r', ':keys')} OR ${p.idIn('r', ':ids')})`, params: { keys: JSON.stringify(keys), ids: JSON.stringify(ids) } };
    const where = this.where(filter, true, [wanted]);
    return { sql: `SELECT ${select.sql} FROM ${this.runs} r${this.joins}${where.sql}`, params: { ...select.params, ...where.params } };
  }

  /** One run, whole (see `RunDetails`). */
  details(id: string): Statement {
    const select = this.selectDetails();
    return { sql: `SELECT ${select.sql} FROM ${this.runs} r${this.joins} WHERE r.id = :id`, params: { ...select.params, id } };
  }

  /** Runs started by this run (`parent_run_id`), newest first; undefined on a database older than the column. */
  children(runId: string): Statement | undefined {
    if (!this.schema.runs.has('parent_run_id')) return undefined;
    const select = this.selectSummary();
    return {
      sql: `SELECT ${select.sql} FROM ${this.runs} r${this.joins} WHERE r.parent_run_id = :id ORDER BY ${this.newest}`,
      params: { ...select.params, id: runId },
    };
  }

  /** The runs this run started, newest first, each with the node of it that started it (`metadata.parent_node_id`). */
  childNodes(runId: string): Statement | undefined {
    if (!this.schema.runs.has('parent_run_id')) return undefined;
    const id = this.parts.text('r.id');
    return {
      sql: `SELECT ${id} AS id, r.status AS status, ${this.parts.jsonString(this.column('metadata'), ['parent_node_id'])} AS parent_node_id FROM ${this.runs} r WHERE r.parent_run_id = :id ORDER BY ${this.newest}`,
      params: { id: runId },
    };
  }

  /** The id of the run with exactly this id, as stored. */
  exactId(id: string): Statement {
    return { sql: `SELECT ${this.parts.text('r.id')} AS id FROM ${this.runs} r WHERE r.id = :id`, params: { id } };
  }

  /** Up to `limit` ids that start with `prefix` (lower case). */
  idsWithPrefix(prefix: string, limit: number): Statement {
    const id = this.parts.text('r.id');
    return { sql: `SELECT ${id} AS id FROM ${this.runs} r WHERE ${this.parts.startsWith(id, ':prefix')} LIMIT ${limit}`, params: { prefix } };
  }
}
