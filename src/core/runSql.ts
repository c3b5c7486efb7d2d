import * as path from 'node:path';
import type { RunFilter } from './model/runModel';
import type { Schema } from './model/schema';
import { cancellablePredicate, type Dialect, openGatePredicate, type Params, resumablePredicate, staleRunningPredicate } from './predicates';

/**
 * The SQL both engines list runs with, over the runs table aliased `r`: the columns a `RunSummary`
 * is made of (`runFromRow`), the joins that name a run's project and platform, and the WHERE of a
 * `RunFilter`. Only the few functions the dialects spell differently differ.
 */

/** Text functions: a substring test and a prefix test. PostgreSQL ids are UUIDs, compared as text. */
const TEXT: Record<Dialect, { contains(haystack: string, needle: string): string; startsWith(s: string, prefix: string): string; id: string }> = {
  sqlite: {
    contains: (h, n) => `instr(${h}, ${n}) > 0`,
    startsWith: (s, p) => `substr(${s}, 1, length(${p})) = ${p}`,
    id: 'r.id',
  },
  postgres: {
    contains: (h, n) => `strpos(${h}, ${n}::text) > 0`,
    startsWith: (s, p) => `left(${s}, length(${p}::text)) = ${p}::text`,
    id: 'r.id::text',
  },
};

/** Normalizes a folder for prefix comparison: absolute, no trailing separator. */
function normalizeFolder(folder: string): string {
  const resolved = path.resolve(folder);
  return resolved.length > 1 ? resolved.replace(/[\\/]+$/, '') : resolved;
}

export class RunSql {
  constructor(
    private readonly dialect: Dialect,
    readonly schema: Schema,
  ) {}

  /** A runs column, or `fallback` on a database older than it. */
  column(name: string, fallback = 'NULL'): string {
    return this.schema.runs.has(name) ? `r.${name}` : fallback;
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

  /** The columns `runFromRow` and `detailsFromRow` read, the predicates' verdicts among them. */
  selectList(): { sql: string; params: Params } {
    const resumable = resumablePredicate(this.dialect, 'r');
    const stale = staleRunningPredicate(this.dialect, 'r');
    const cancellable = cancellablePredicate(this.dialect, 'r');
    const gate = openGatePredicate(this.dialect, 'r');
    const hasCodebaseName = this.schema.codebases?.has('name') && this.schema.runs.has('codebase_id');
    const hasCodebaseCwd = this.schema.codebases?.has('default_cwd') && this.schema.runs.has('codebase_id');
    const hasPlatform = this.schema.conversations?.has('platform_type') && this.schema.runs.has('conversation_id');
    const c = (name: string) => `${this.column(name)} AS ${name}`;
    const sql = [
      `${TEXT[this.dialect].id} AS id`,
      'r.workflow_name AS workflow_name',
      'r.status AS status',
      `${resumable.sql} AS resumable`,
      `${stale.sql} AS interrupted`,
      `${cancellable.sql} AS cancellable`,
      `${gate.sql} AS open_gate`,
      ...[
        'outcome', 'started_at', 'last_activity_at', 'completed_at', 'working_path', 'output_root',
        'codebase_id', 'conversation_id', 'parent_run_id', 'user_message', 'current_step_index',
        'metadata', 'user_id', 'parent_conversation_id',
      ].map(c),
      `${hasCodebaseName ? 'cb.name' : 'NULL'} AS codebase_name`,
      `${hasCodebaseCwd ? 'cb.default_cwd' : 'NULL'} AS project_path`,
      `${hasPlatform ? 'cv.platform_type' : 'NULL'} AS platform`,
    ].join(', ');
    return { sql, params: { ...resumable.params, ...stale.params } };
  }

  /** The conditions of a filter, to be ANDed; `withStatus` false leaves the status out (for counts). */
  conditions(filter: RunFilter, withStatus = true): { clauses: string[]; params: Params } {
    const text = TEXT[this.dialect];
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
      clauses.push(`(${text.contains('lower(r.workflow_name)', ':text')}${message} OR ${text.startsWith(text.id, ':text')})`);
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
      clauses.push(ors.length ? `(${ors.join(' OR ')})` : this.dialect === 'sqlite' ? '0' : 'false');
    }
    return { clauses, params };
  }
}
