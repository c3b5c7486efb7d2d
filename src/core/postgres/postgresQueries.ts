import { type Group, limitsOf, type Overview, type OverviewRequest, shownGroups } from '../model/overview';
import { detailsFromRow, eventFromRow, runFromRow } from '../model/runRow';
import { type IdResolution, MIN_ID_PREFIX, type RunDetails, type RunEvent, type RunFilter, type RunHistory, type RunSummary, STATUSES, type StatusCounts } from '../model/runModel';
import type { Schema } from '../model/schema';
import type { Query } from './namedParams';
import { statusWatch, type StatusWatch, watchMemory, type WatchNow, watchNews, type WatchRequest } from '../model/statusWatch';
import { cancellablePredicate, openGatePredicate, type Params, resumablePredicate, staleRunningPredicate } from '../predicates';
import { RunSql } from '../runSql';

/** Runs one statement with named parameters (see `toPositional`) and returns its rows. */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a run id can be one on PostgreSQL (a UUID): anything else names no run, and is never sent as one. */
export function isRunId(id: string): boolean {
  return UUID.test(id);
}

/** Newest first; PostgreSQL sorts NULLs first when descending, SQLite last: last here too. */
const NEWEST = 'r.started_at DESC NULLS LAST, r.id DESC';

/**
 * The reads of `ReaderCalls` in PostgreSQL's SQL, over one transaction's `query` (so that the
 * statements of one read see one snapshot). The same model types as on SQLite come out.
 */
export class PostgresQueries {
  private readonly sql: RunSql;

  constructor(
    private readonly query: Query,
    readonly schema: Schema,
  ) {
    this.sql = new RunSql('postgres', schema);
  }

  private where(filter: RunFilter, withStatus = true): { sql: string; params: Params } {
    const { clauses, params } = this.sql.conditions(filter, withStatus);
    return { sql: clauses.length ? ` WHERE ${clauses.join(' AND ')}` : '', params };
  }

  private async runs(whereSql: string, params: Params, order = NEWEST): Promise<RunSummary[]> {
    const select = this.sql.selectList();
    const rows = await this.query(`SELECT ${select.sql} FROM ${this.schema.names.runs} r${this.sql.joins}${whereSql} ORDER BY ${order}`, { ...select.params, ...params });
    return rows.map(runFromRow);
  }

  async listRuns(filter: RunFilter = {}): Promise<RunSummary[]> {
    const where = this.where(filter);
    const page = ` LIMIT ${filter.limit === undefined ? 'ALL' : ':limit'} OFFSET :offset`;
    return this.runs(where.sql, { ...where.params, limit: filter.limit ?? null, offset: filter.offset ?? 0 }, `${NEWEST}${page}`);
  }

  /** Counts per status (and `interrupted`), and what Resume, Cancel and a person could act on. */
  private async tally(filter: RunFilter): Promise<Pick<Overview, 'counts' | 'hasResumable' | 'hasCancellable' | 'openGates'>> {
    const stale = staleRunningPredicate('postgres', 'r');
    const resumable = resumablePredicate('postgres', 'r');
    const cancellable = cancellablePredicate('postgres', 'r');
    const gate = openGatePredicate('postgres', 'r');
    const where = this.where(filter, false);
    const rows = await this.query(
      `SELECT r.status AS status, ${stale.sql} AS interrupted, count(*)::int AS n, count(*) FILTER (WHERE ${resumable.sql})::int AS resumable,` +
        ` count(*) FILTER (WHERE ${cancellable.sql})::int AS cancellable, count(*) FILTER (WHERE ${gate.sql})::int AS open_gates` +
        ` FROM ${this.schema.names.runs} r${where.sql} GROUP BY 1, 2`,
      { ...stale.params, ...where.params },
    );
    const counts: Record<string, number> = {};
    let resumableRuns = 0;
    let cancellableRuns = 0;
    let openGates = 0;
    for (const row of rows) {
      const status = String(row.status);
      counts[status] = (counts[status] ?? 0) + Number(row.n);
      if (row.interrupted) counts.interrupted = (counts.interrupted ?? 0) + Number(row.n);
      resumableRuns += Number(row.resumable);
      cancellableRuns += Number(row.cancellable);
      openGates += Number(row.open_gates);
    }
    return { counts, hasResumable: resumableRuns > 0, hasCancellable: cancellableRuns > 0, openGates };
  }

  /** The newest runs of each status group asked for, ranked on the server. */
  private async newestByGroup(filter: RunFilter, limits: Record<string, number>): Promise<Record<string, RunSummary[]>> {
    const out: Record<string, RunSummary[]> = {};
    if (!Object.keys(limits).length) return out;
    const where = this.where(filter, false);
    const params: Params = { ...where.params };
    const known = STATUSES.map((status, i) => ((params[`known${i}`] = status), `:known${i}`)).join(', ');
    const group = `CASE WHEN r.status IN (${known}) THEN r.status ELSE 'other' END`;
    const limit = Object.keys(limits).map((key, i) => ((params[`group${i}`] = key), (params[`limit${i}`] = limits[key]), `WHEN :group${i}::text THEN :limit${i}::int`));
    const select = this.sql.selectList();
    const rows = await this.query(
      `SELECT ${select.sql}, top.grp AS grp FROM (SELECT r.id AS rid, ${group} AS grp, row_number() OVER (PARTITION BY ${group} ORDER BY ${NEWEST}) AS rn` +
        ` FROM ${this.schema.names.runs} r${where.sql}) top JOIN ${this.schema.names.runs} r ON r.id = top.rid${this.sql.joins}` +
        ` WHERE top.rn <= CASE top.grp ${limit.join(' ')} ELSE 0 END ORDER BY top.grp, ${NEWEST}`,
      { ...select.params, ...params },
    );
    for (const row of rows) (out[String(row.grp)] ??= []).push(runFromRow(row));
    return out;
  }

  /** How many runs per status (and `interrupted` for stale running orphans, also counted in running). */
  async counts(filter: RunFilter = {}): Promise<StatusCounts> {
    return (await this.tally(filter)).counts;
  }

  /** The tree's first render: counts per status and the newest runs of each group. */
  async overview(request: OverviewRequest): Promise<Overview> {
    const tally = await this.tally(request.base);
    const shown = shownGroups(request, tally.counts);
    const newest = await this.newestByGroup(request.base, limitsOf(request, shown.map((g) => g.key)));
    const groups: Group[] = shown.map((g) => ({ ...g, runs: newest[g.key] ?? [] }));
    return { ...tally, groups };
  }

  async getRun(id: string): Promise<RunDetails | undefined> {
    if (!isRunId(id)) return undefined;
    const select = this.sql.selectList();
    const [row] = await this.query(`SELECT ${select.sql} FROM ${this.schema.names.runs} r${this.sql.joins} WHERE r.id = :id`, { ...select.params, id });
    return row && detailsFromRow(row);
  }

  async history(id: string): Promise<RunHistory | undefined> {
    const run = await this.getRun(id);
    return run && { run, events: await this.events(id), children: await this.children(id) };
  }

  /** A run's events in Archon's order: created_at, then the event_order sequence, then id. */
  async events(runId: string): Promise<RunEvent[]> {
    const cols = this.schema.events;
    if (!cols?.has('workflow_run_id') || !isRunId(runId)) return [];
    const col = (name: string) => (cols.has(name) ? name : 'NULL');
    const order = cols.has('event_order') ? ', coalesce(event_order, 0)' : '';
    const rows = await this.query(
      `SELECT id::text AS id, ${col('event_order')} AS event_order, ${col('event_type')} AS event_type, ${col('step_index')} AS step_index,` +
        ` ${col('step_name')} AS step_name, ${col('data')} AS data, ${col('created_at')} AS created_at` +
        ` FROM ${this.schema.names.events} WHERE workflow_run_id = :id ORDER BY ${col('created_at')}${order}, id`,
      { id: runId },
    );
    return rows.map(eventFromRow);
  }

  async children(runId: string): Promise<RunSummary[]> {
    if (!this.schema.runs.has('parent_run_id') || !isRunId(runId)) return [];
    return this.runs(' WHERE r.parent_run_id = :id', { id: runId });
  }

  /** A full id, or a unique prefix of at least `MIN_ID_PREFIX` characters. */
  async resolveId(input: string): Promise<IdResolution> {
    const wanted = input.trim().toLowerCase();
    if (isRunId(wanted) && (await this.query(`SELECT 1 FROM ${this.schema.names.runs} WHERE id = :id`, { id: wanted })).length) return { kind: 'found', id: wanted };
    if (wanted.length < MIN_ID_PREFIX) return { kind: 'too-short' };
    const rows = await this.query(`SELECT id::text AS id FROM ${this.schema.names.runs} r WHERE left(r.id::text, length(:prefix::text)) = :prefix::text LIMIT 5`, { prefix: wanted });
    if (rows.length === 0) return { kind: 'not-found' };
    if (rows.length > 1) return { kind: 'ambiguous', matches: rows.map((r) => String(r.id)) };
    return { kind: 'found', id: String(rows[0].id) };
  }

  /** The status watch (see model/statusWatch.ts): failed and completed runs by id, from the status index. */
  async watch(request: WatchRequest): Promise<StatusWatch> {
    const ids = async (status: string) => (await this.query(`SELECT id::text AS id FROM ${this.schema.names.runs} WHERE status = :status`, { status })).map((r) => String(r.id));
    const stale = staleRunningPredicate('postgres', 'r');
    const gate = openGatePredicate('postgres', 'r');
    const where = this.where({ folders: request.folders, statuses: ['running', 'paused'] });
    const live = await this.query(`SELECT r.id::text AS id, r.status AS status, ${stale.sql} AS interrupted, ${gate.sql} AS open_gate FROM ${this.schema.names.runs} r${where.sql}`, {
      ...stale.params,
      ...where.params,
    });
    const now: WatchNow = {
      failed: await ids('failed'),
      completed: request.completed ? await ids('completed') : undefined,
      live: live.map((r) => ({ id: String(r.id), status: String(r.status), interrupted: r.interrupted === true, openGate: r.open_gate === true })),
    };
    const memory = watchMemory(now);
    const news = watchNews(memory, request.memory);
    const wanted = [...news.keys.map(String), ...news.ids.keys()];
    const scope = this.where({ folders: request.folders });
    const runs = wanted.length
      ? await this.runs(`${scope.sql ? `${scope.sql} AND` : ' WHERE'} r.id::text IN (SELECT jsonb_array_elements_text(:wanted::jsonb))`, {
          ...scope.params,
          wanted: JSON.stringify(wanted),
        })
      : [];
    return statusWatch(now, memory, news, runs);
  }
}
