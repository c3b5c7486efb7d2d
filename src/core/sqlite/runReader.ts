import { cancellablePredicate, openGatePredicate, type Params, resumablePredicate, staleRunningPredicate, turnsStaleFrom } from '../predicates';
import type { Queryable, Row, SqlValue } from './queryable';
import { detailsFromRow, eventFromRow, runFromRow } from '../model/runRow';
import {
  type IdResolution,
  MIN_ID_PREFIX,
  type RunDetails,
  type RunEvent,
  type RunFilter,
  type RunHistory,
  type RunSummary,
  STATUSES,
  type StatusCounts,
} from '../model/runModel';
import { EVENTS, RUNS, type Schema } from '../model/schema';
import { RunSql } from '../runSql';

/** Part of the runs table by rowid: after one and/or up to one (plus some rows by rowid). */
export interface RowSpan {
  upTo?: number;
  after?: number;
  plus?: number[];
}

/** Counts per status, and what Resume and Cancel could act on. */
export interface Tally {
  counts: StatusCounts;
  resumable: number;
  cancellable: number;
  /** Runs paused at a gate that waits on a person. */
  openGates: number;
  /** The first `last_activity_at` among running runs to turn stale as time passes (staleness changes the counts). */
  turnsStaleFrom: SqlValue;
}

/**
 * The queries the tree, the commands and the CLI need, over any SQLite connection that sees one
 * consistent state (a sql.js snapshot in the product; node:sqlite in the benchmark's comparison).
 * Nothing here writes: writes go through `operations.ts` and a locking SQLite.
 */
export class RunReader {
  private readonly sql: RunSql;

  constructor(
    private readonly db: Queryable,
    readonly schema: Schema,
  ) {
    this.sql = new RunSql('sqlite', schema);
  }

  private all(sql: string, params: Params = {}): Row[] {
    return this.db.all(sql, params);
  }

  /** The WHERE clause of a filter (see `RunSql`), and a span of rowids; `withStatus` false leaves the status out (for counts). */
  private where(filter: RunFilter, withStatus = true, span: RowSpan = {}): { sql: string; params: Params } {
    const { clauses, params } = this.sql.conditions(filter, withStatus);
    if (span.upTo !== undefined) {
      clauses.push('r.rowid <= :spanUpTo');
      params.spanUpTo = span.upTo;
    }
    if (span.after !== undefined) {
      params.spanAfter = span.after;
      if (span.plus?.length) {
        params.spanPlus = JSON.stringify(span.plus);
        clauses.push('(r.rowid > :spanAfter OR r.rowid IN (SELECT value FROM json_each(:spanPlus)))');
      } else clauses.push('r.rowid > :spanAfter');
    }
    return { sql: clauses.length ? ` WHERE ${clauses.join(' AND ')}` : '', params };
  }

  /** Runs newest first (`started_at DESC`). */
  listRuns(filter: RunFilter = {}): RunSummary[] {
    const select = this.sql.selectList();
    const where = this.where(filter);
    const params: Params = { ...select.params, ...where.params, limit: filter.limit ?? -1, offset: filter.offset ?? 0 };
    const sql =
      `SELECT ${select.sql} FROM ${RUNS} r${this.sql.joins}${where.sql}` +
      ` ORDER BY ${this.sql.column('started_at')} DESC, r.rowid DESC LIMIT :limit OFFSET :offset`;
    return this.all(sql, params).map((row) => runFromRow(row));
  }

  /** How many runs per status (and `interrupted` for stale running orphans, also counted in running). */
  countByStatus(filter: RunFilter = {}): StatusCounts {
    return this.tally(filter).counts;
  }

  /**
   * The counts per status, and how many runs Resume and Cancel could act on, in one pass. NOT
   * INDEXED: one pass in table order is twice as fast as walking the status index and looking each
   * run up, and leaves the result depending on the table's pages only.
   */
  tally(filter: RunFilter = {}, span?: RowSpan): Tally {
    const stale = staleRunningPredicate('sqlite', 'r');
    const resumable = resumablePredicate('sqlite', 'r');
    const cancellable = cancellablePredicate('sqlite', 'r');
    const gate = openGatePredicate('sqlite', 'r');
    const watch = turnsStaleFrom('sqlite', 'r');
    const where = this.where(filter, false, span);
    const rows = this.all(
      `SELECT r.status AS status, ${stale.sql} AS interrupted, count(*) AS n, sum(${resumable.sql}) AS resumable,` +
        ` sum(${cancellable.sql}) AS cancellable, sum(${gate.sql}) AS open_gates, min(min(${watch.sql})) OVER () AS watch` +
        ` FROM ${RUNS} r NOT INDEXED${where.sql} GROUP BY 1, 2`,
      { ...stale.params, ...resumable.params, ...cancellable.params, ...watch.params, ...where.params },
    );
    // Every row carries the smallest over all of them.
    const tally: Tally = { counts: {}, resumable: 0, cancellable: 0, openGates: 0, turnsStaleFrom: rows[0]?.watch ?? null };
    for (const row of rows) {
      const status = String(row.status);
      tally.counts[status] = (tally.counts[status] ?? 0) + Number(row.n);
      if (row.interrupted) tally.counts.interrupted = (tally.counts.interrupted ?? 0) + Number(row.n);
      tally.resumable += Number(row.resumable);
      tally.cancellable += Number(row.cancellable);
      tally.openGates += Number(row.open_gates);
    }
    return tally;
  }

  /** Whether a running run last active at `lastActivity` counts as stale now. */
  staleNow(lastActivity: SqlValue): boolean {
    const stale = staleRunningPredicate('sqlite', 'r');
    const row = this.all(`SELECT ${stale.sql} AS stale FROM (SELECT 'running' AS status, :at AS last_activity_at) r`, {
      ...stale.params,
      at: lastActivity,
    } as Params)[0];
    return row.stale === 1;
  }

  /** The largest rowid of the runs table (0 when empty). */
  maxRowid(): number {
    return Number(this.all(`SELECT coalesce(max(rowid), 0) AS m FROM ${RUNS}`)[0].m);
  }

  /**
   * The rowids of the newest runs of several status groups, with their group: `limits` maps a
   * status, or `other` for statuses Archon may add, to how many. Ranking needs only each run's
   * status and start time; nothing else of a run is read.
   */
  private top(filter: RunFilter, limits: Record<string, number>, span?: RowSpan): { sql: string; params: Params } {
    const where = this.where(filter, false, span);
    const params: Params = { ...where.params };
    const known = STATUSES.map((status, i) => ((params[`known${i}`] = status), `:known${i}`)).join(', ');
    const group = `CASE WHEN r.status IN (${known}) THEN r.status ELSE 'other' END`;
    const limit = Object.keys(limits).map((key, i) => ((params[`group${i}`] = key), (params[`limit${i}`] = limits[key]), `WHEN :group${i} THEN :limit${i}`));
    const ranked =
      `SELECT r.rowid AS rid, ${group} AS grp, row_number() OVER (PARTITION BY ${group} ORDER BY ${this.sql.column('started_at')} DESC, r.rowid DESC) AS rn` +
      ` FROM ${RUNS} r NOT INDEXED${where.sql}`;
    return { sql: `SELECT rid, grp FROM (${ranked}) WHERE rn <= CASE grp ${limit.join(' ')} ELSE 0 END`, params };
  }

  /** The rowids of the runs `newestByGroup` would list. */
  newestRowids(filter: RunFilter, limits: Record<string, number>, span?: RowSpan): number[] {
    if (!Object.keys(limits).length) return [];
    const top = this.top(filter, limits, span);
    return this.all(top.sql, top.params).map((row) => Number(row.rid));
  }

  /** The newest runs of several status groups (see `top`), newest first, by group key. */
  newestByGroup(filter: RunFilter, limits: Record<string, number>, span?: RowSpan): Record<string, RunSummary[]> {
    const out: Record<string, RunSummary[]> = {};
    if (!Object.keys(limits).length) return out;
    const select = this.sql.selectList();
    const top = this.top(filter, limits, span);
    const started = this.sql.column('started_at');
    const rows = this.all(
      `SELECT ${select.sql}, top.grp AS grp FROM (${top.sql}) top JOIN ${RUNS} r ON r.rowid = top.rid${this.sql.joins}` +
        ` ORDER BY top.grp, ${started} DESC, r.rowid DESC`,
      { ...select.params, ...top.params },
    );
    for (const row of rows) (out[String(row.grp)] ??= []).push(runFromRow(row));
    return out;
  }

  /** The rowids of every run with this status (from the status index alone, where there is one). */
  rowidsWithStatus(status: string): number[] {
    return this.all(`SELECT rowid AS rid FROM ${RUNS} WHERE status = :status`, { status }).map((row) => Number(row.rid));
  }

  /** Running and paused runs matching the filter, by id: whether each is interrupted, or at an open gate. */
  liveRuns(filter: RunFilter = {}): { id: string; status: string; interrupted: boolean; openGate: boolean }[] {
    const stale = staleRunningPredicate('sqlite', 'r');
    const gate = openGatePredicate('sqlite', 'r');
    const where = this.where({ ...filter, statuses: ['running', 'paused'] });
    return this.all(`SELECT r.id AS id, r.status AS status, ${stale.sql} AS interrupted, ${gate.sql} AS open_gate FROM ${RUNS} r${where.sql}`, {
      ...stale.params,
      ...where.params,
    }).map((row) => ({ id: String(row.id), status: String(row.status), interrupted: row.interrupted === 1, openGate: row.open_gate === 1 }));
  }

  /** The runs with these rowids or ids that match the filter. */
  summaries(filter: RunFilter, keys: { rowids?: number[]; ids?: string[] }): RunSummary[] {
    if (!keys.rowids?.length && !keys.ids?.length) return [];
    const select = this.sql.selectList();
    const where = this.where(filter);
    const params: Params = { ...select.params, ...where.params, rowids: JSON.stringify(keys.rowids ?? []), ids: JSON.stringify(keys.ids ?? []) };
    const wanted = '(r.rowid IN (SELECT value FROM json_each(:rowids)) OR r.id IN (SELECT value FROM json_each(:ids)))';
    const sql = `SELECT ${select.sql} FROM ${RUNS} r${this.sql.joins}${where.sql ? `${where.sql} AND ${wanted}` : ` WHERE ${wanted}`}`;
    return this.all(sql, params).map((row) => runFromRow(row));
  }

  getRun(id: string): RunDetails | undefined {
    const select = this.sql.selectList();
    const row = this.all(`SELECT ${select.sql} FROM ${RUNS} r${this.sql.joins} WHERE r.id = :id`, { ...select.params, id })[0];
    return row && detailsFromRow(row);
  }

  /** A run with its events and child runs, or undefined when there is no such run. */
  history(id: string): RunHistory | undefined {
    const run = this.getRun(id);
    return run && { run, events: this.events(id), children: this.children(id) };
  }

  /** A run's events in the order they happened. */
  events(runId: string): RunEvent[] {
    const cols = this.schema.events;
    if (!cols?.has('workflow_run_id')) return [];
    const col = (name: string) => (cols.has(name) ? name : 'NULL');
    // Archon's own order: created_at, then the (table-wide) event_order counter, then id.
    const order = cols.has('event_order') ? ', coalesce(event_order, 0)' : '';
    const rows = this.all(
      `SELECT id, ${col('event_order')} AS event_order, ${col('event_type')} AS event_type, ${col('step_index')} AS step_index,` +
        ` ${col('step_name')} AS step_name, ${col('data')} AS data, ${col('created_at')} AS created_at` +
        ` FROM ${EVENTS} WHERE workflow_run_id = :id ORDER BY ${col('created_at')}${order}, id`,
      { id: runId },
    );
    return rows.map(eventFromRow);
  }

  /** Runs started by this run (`parent_run_id`), newest first. */
  children(runId: string): RunSummary[] {
    if (!this.schema.runs.has('parent_run_id')) return [];
    const select = this.sql.selectList();
    const rows = this.all(
      `SELECT ${select.sql} FROM ${RUNS} r${this.sql.joins} WHERE r.parent_run_id = :id ORDER BY ${this.sql.column('started_at')} DESC, r.rowid DESC`,
      { ...select.params, id: runId },
    );
    return rows.map((row) => runFromRow(row));
  }

  /** A full id, or a unique prefix of at least `MIN_ID_PREFIX` characters. */
  resolveId(input: string): IdResolution {
    const wanted = input.trim();
    if (this.all(`SELECT 1 FROM ${RUNS} WHERE id = :id`, { id: wanted }).length) return { kind: 'found', id: wanted };
    if (wanted.length < MIN_ID_PREFIX) return { kind: 'too-short' };
    const matches = this.all(`SELECT id FROM ${RUNS} WHERE substr(id, 1, length(:prefix)) = :prefix LIMIT 5`, {
      prefix: wanted.toLowerCase(),
    }).map((row) => String(row.id));
    if (matches.length === 0) return { kind: 'not-found' };
    if (matches.length > 1) return { kind: 'ambiguous', matches };
    return { kind: 'found', id: matches[0] };
  }
}
