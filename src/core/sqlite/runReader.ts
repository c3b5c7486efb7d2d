import { type Params, staleRunningPredicate } from '../predicates';
import type { Queryable, SqlValue } from './queryable';
import type { EventPage, EventsRequest, HistoryRequest, IdResolution, RunDetails, RunFilter, RunHistory, RunSummary, StatusCounts } from '../model/runModel';
import type { Overview, OverviewRequest } from '../model/overview';
import type { Schema } from '../model/schema';
import { type Plan, runSync } from '../reads/plan';
import * as reads from '../reads/runReads';
import { RunSql, type Statement } from '../runSql';

/** Part of the runs table by rowid: after one and/or up to one (plus some rows by rowid). */
export interface RowSpan {
  upTo?: number;
  after?: number;
  plus?: number[];
}

/** A span as clauses on the rowid. */
function spanClauses(span: RowSpan = {}): Statement[] {
  const clauses: Statement[] = [];
  if (span.upTo !== undefined) clauses.push({ sql: 'r.rowid <= :spanUpTo', params: { spanUpTo: span.upTo } });
  if (span.after !== undefined) {
    clauses.push(
      span.plus?.length
        ? { sql: '(r.rowid > :spanAfter OR r.rowid IN (SELECT value FROM json_each(:spanPlus)))', params: { spanAfter: span.after, spanPlus: JSON.stringify(span.plus) } }
        : { sql: 'r.rowid > :spanAfter', params: { spanAfter: span.after } },
    );
  }
  return clauses;
}

/**
 * The reads (reads/runReads.ts) over any SQLite connection that sees one consistent state (a
 * sql.js snapshot in the product; node:sqlite in the benchmark's comparison), and what SQLite's
 * kept overview needs besides: parts of the table by rowid. Nothing here writes: writes go
 * through `operations.ts` and a locking SQLite.
 */
export class RunReader {
  readonly sql: RunSql;

  constructor(
    private readonly db: Queryable,
    readonly schema: Schema,
  ) {
    this.sql = new RunSql('sqlite', schema);
  }

  /** Runs a read's plan on this connection. */
  run<T>(plan: Plan<T>): T {
    return runSync(plan, { all: (s) => this.db.all(s.sql, s.params), open: (s) => this.db.open(s.sql, s.params) });
  }

  /** Runs newest first (`started_at DESC`). */
  listRuns(filter: RunFilter = {}): RunSummary[] {
    return this.run(reads.listRuns(this.sql, filter));
  }

  /** How many runs per status (and `interrupted` for stale running orphans, also counted in running). */
  countByStatus(filter: RunFilter = {}): StatusCounts {
    return this.run(reads.counts(this.sql, filter));
  }

  /** The counts per status, and how many runs Resume and Cancel could act on, in one pass (of a span of the table). */
  tally(filter: RunFilter = {}, span?: RowSpan): reads.Tally {
    return this.run(reads.tally(this.sql, filter, spanClauses(span)));
  }

  /** Whether a running run last active at `lastActivity` counts as stale now. */
  staleNow(lastActivity: SqlValue): boolean {
    const stale = staleRunningPredicate('sqlite', 'r');
    const row = this.db.all(`SELECT ${stale.sql} AS stale FROM (SELECT 'running' AS status, :at AS last_activity_at) r`, {
      ...stale.params,
      at: lastActivity,
    } as Params)[0];
    return row.stale === 1;
  }

  /** The largest rowid of the runs table (0 when empty). */
  maxRowid(): number {
    return Number(this.db.all(`SELECT coalesce(max(rowid), 0) AS m FROM ${this.schema.names.runs}`)[0].m);
  }

  /** The rowids of the runs `newestByGroup` would list. */
  newestRowids(filter: RunFilter, limits: Record<string, number>, span?: RowSpan): number[] {
    return this.run(reads.newestKeys(this.sql, filter, limits, spanClauses(span))).map(Number);
  }

  /** The tree's first render from a tally already made, its groups' runs ranked in `span`. */
  overviewFrom(request: OverviewRequest, tally: reads.Tally, span?: RowSpan): Overview {
    return this.run(reads.overview(this.sql, request, { tally, extra: spanClauses(span) }));
  }

  getRun(id: string): RunDetails | undefined {
    return this.run(reads.getRun(this.sql, id));
  }

  /** A run with its events (its newest, or all) and child runs, or undefined when there is no such run. */
  history(request: HistoryRequest): RunHistory | undefined {
    return this.run(reads.history(this.sql, request));
  }

  /** A run's newest events (or all), oldest first, and how many it has. */
  events(request: EventsRequest): EventPage {
    return this.run(reads.events(this.sql, request));
  }

  /** Runs started by this run (`parent_run_id`), newest first. */
  children(runId: string): RunSummary[] {
    return this.run(reads.children(this.sql, runId));
  }

  /** A full id, or a unique prefix of at least `MIN_ID_PREFIX` characters. */
  resolveId(input: string): IdResolution {
    return this.run(reads.resolveId(this.sql, input));
  }
}
