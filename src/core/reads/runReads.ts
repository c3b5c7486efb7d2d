import { createHash } from 'node:crypto';
import { EventSql } from '../eventSql';
import { type Group, limitsOf, type Overview, type OverviewRequest, shownGroups } from '../model/overview';
import type { HistoryPart, ReaderCall, ReaderCalls, StreamCall, StreamCalls } from '../model/readCalls';
import { detailsFromRow, eventFromRow, flag, type Row, runFromRow } from '../model/runRow';
import {
  type DetailsAnswer,
  type DetailsRequest,
  type EventPage,
  type EventsRequest,
  type HistoryRequest,
  type IdResolution,
  MIN_ID_PREFIX,
  type RunDetails,
  type RunEvent,
  type RunFilter,
  type RunHistory,
  type RunSummary,
  type StatusCounts,
} from '../model/runModel';
import { type KeyBuckets, type RunKey, statusWatch, type StatusWatch, watchMemory, type WatchNow, watchNews, type WatchRequest } from '../model/statusWatch';
import type { RunSql, Statement } from '../runSql';
import { cursor, type Plan } from './plan';

/**
 * The reads of `ReaderCalls`, written once for both engines as plans (see plan.ts) over the
 * statements of runSql.ts and eventSql.ts. `extra` clauses narrow a read to part of the table
 * (SQLite's overview keeps its older runs' parts between refreshes, see sqlite/overview.ts).
 */

/** Counts per status, and what Resume and Cancel could act on. */
export interface Tally {
  counts: StatusCounts;
  resumable: number;
  cancellable: number;
  /** Runs paused at a gate that waits on a person. */
  openGates: number;
  /** The first `last_activity_at` among running runs to turn stale as time passes (staleness changes the counts). */
  turnsStaleFrom: unknown;
}

/** Rows fetched by key this many at a time: a page of the list, of the events. */
const BATCH = 500;

/** Hands `each` the rows of `keys` in that order, a batch at a time, fetched by the statement `fetch` makes. */
function* fetchInOrder<T>(keys: RunKey[], fetch: (batch: RunKey[]) => Statement, map: (row: Row) => T, each: (items: T[]) => void): Plan<void> {
  if (!keys.length) return;
  const rows = new Map((yield fetch(keys)).map((row) => [String(row.k), row]));
  each(keys.flatMap((key) => (rows.has(String(key)) ? [map(rows.get(String(key))!)] : [])));
}

/**
 * The rows a statement of keys (`k`) orders, handed to `each` in that order a batch at a time: the
 * keys are read through a cursor and each batch's rows fetched by key, so that sorting carries only
 * keys and one batch of rows is held at a time, however many there are.
 */
function* inOrder<T>(keys: Statement, fetch: (batch: RunKey[]) => Statement, map: (row: Row) => T, each: (items: T[]) => void): Plan<void> {
  const batches = cursor(keys, BATCH);
  for (;;) {
    const batch = (yield batches).map((row) => row.k as RunKey);
    yield* fetchInOrder(batch, fetch, map, each);
    if (batch.length < BATCH) return;
  }
}

/** Runs matching a filter, newest first, as lists show them (see `RunSql.pageKeys`), a batch at a time. */
export function* eachRun(sql: RunSql, filter: RunFilter, each: (runs: RunSummary[]) => void): Plan<void> {
  yield* inOrder(sql.pageKeys(filter), (batch) => sql.byKeys(batch), runFromRow, each);
}

export function* listRuns(sql: RunSql, filter: RunFilter): Plan<RunSummary[]> {
  const runs: RunSummary[] = [];
  yield* eachRun(sql, filter, (batch) => runs.push(...batch));
  return runs;
}

export function* tally(sql: RunSql, filter: RunFilter, extra?: Statement[]): Plan<Tally> {
  const rows = yield sql.tally(filter, extra);
  // Every row carries the smallest over all of them.
  const result: Tally = { counts: {}, resumable: 0, cancellable: 0, openGates: 0, turnsStaleFrom: rows[0]?.watch ?? null };
  for (const row of rows) {
    const status = String(row.status);
    result.counts[status] = (result.counts[status] ?? 0) + Number(row.n);
    if (flag(row.interrupted)) result.counts.interrupted = (result.counts.interrupted ?? 0) + Number(row.n);
    result.resumable += Number(row.resumable);
    result.cancellable += Number(row.cancellable);
    result.openGates += Number(row.open_gates);
  }
  return result;
}

/** How many runs per status (and `interrupted` for stale running orphans, also counted in running). */
export function* counts(sql: RunSql, filter: RunFilter): Plan<StatusCounts> {
  return (yield* tally(sql, filter)).counts;
}

/** The keys of the runs `newestByGroup` would list. */
export function* newestKeys(sql: RunSql, filter: RunFilter, limits: Record<string, number>, extra?: Statement[]): Plan<RunKey[]> {
  if (!Object.keys(limits).length) return [];
  return (yield sql.ranked(filter, limits, extra)).map((row) => row.k as RunKey);
}

/** The newest runs of several status groups (see `RunSql.ranked`), newest first, by group key. */
export function* newestByGroup(sql: RunSql, filter: RunFilter, limits: Record<string, number>, extra?: Statement[]): Plan<Record<string, RunSummary[]>> {
  const out: Record<string, RunSummary[]> = {};
  if (!Object.keys(limits).length) return out;
  for (const row of yield sql.newestByGroup(filter, limits, extra)) (out[String(row.grp)] ??= []).push(runFromRow(row));
  return out;
}

/**
 * The tree's first render: counts per status and the newest runs of each group. `known` gives a
 * tally already made and the part of the table its newest runs are among (SQLite's kept parts).
 */
export function* overview(sql: RunSql, request: OverviewRequest, known?: { tally: Tally; extra: Statement[] }): Plan<Overview> {
  const t = known?.tally ?? (yield* tally(sql, request.base));
  const shown = shownGroups(request, t.counts);
  const newest = yield* newestByGroup(sql, request.base, limitsOf(request, shown.map((g) => g.key)), known?.extra);
  const groups: Group[] = shown.map((g) => ({ ...g, runs: newest[g.key] ?? [] }));
  return { counts: t.counts, groups, hasResumable: t.resumable > 0, hasCancellable: t.cancellable > 0, openGates: t.openGates };
}

export function* getRun(sql: RunSql, id: string): Plan<RunDetails | undefined> {
  if (!sql.parts.isId(id)) return undefined;
  const [row] = yield sql.details(id);
  return row && detailsFromRow(row);
}

/** How many events a run has. */
function* eventCount(sql: RunSql, runId: string): Plan<number> {
  const statement = new EventSql(sql.dialect, sql.schema).count(runId);
  return statement && sql.parts.isId(runId) ? Number((yield statement)[0].n) : 0;
}

/** A run's events in the order they happened, `each` a batch at a time: its newest `newest`, or all. */
export function* eachEvent(sql: RunSql, runId: string, newest: number | 'all', each: (events: RunEvent[]) => void): Plan<void> {
  const events = new EventSql(sql.dialect, sql.schema);
  if (!sql.parts.isId(runId)) return;
  if (newest === 'all') {
    const all = events.allKeys(runId);
    if (all) yield* inOrder(all, (batch) => events.byKeys(batch)!, eventFromRow, each);
    return;
  }
  const statement = events.newestKeys(runId, newest);
  if (!statement) return;
  const keys = (yield statement).map((row) => row.k as RunKey).reverse();
  for (let i = 0; i < keys.length; i += BATCH) yield* fetchInOrder(keys.slice(i, i + BATCH), (batch) => events.byKeys(batch)!, eventFromRow, each);
}

/** A run's newest events, oldest first, and how many it has. */
export function* events(sql: RunSql, request: EventsRequest): Plan<EventPage> {
  const events: RunEvent[] = [];
  yield* eachEvent(sql, request.runId, request.newest, (batch) => events.push(...batch));
  return { events, total: yield* eventCount(sql, request.runId) };
}

/** Runs started by this run, newest first. */
export function* children(sql: RunSql, runId: string): Plan<RunSummary[]> {
  const statement = sql.children(runId);
  if (!statement || !sql.parts.isId(runId)) return [];
  return (yield statement).map(runFromRow);
}

/**
 * A run, its child runs and how many events it has (`head`), then its events (its newest, or all)
 * a batch at a time; false when there is no such run.
 */
export function* eachHistory(sql: RunSql, request: HistoryRequest, each: (part: HistoryPart) => void): Plan<boolean> {
  const run = yield* getRun(sql, request.id);
  if (!run) return false;
  each({ head: { run, eventCount: yield* eventCount(sql, request.id), children: yield* children(sql, request.id) } });
  yield* eachEvent(sql, request.id, request.events, (events) => each({ events }));
  return true;
}

/** A run with its events (its newest, or all) and child runs, or undefined when there is no such run. */
export function* history(sql: RunSql, request: HistoryRequest): Plan<RunHistory | undefined> {
  let head: Omit<RunHistory, 'events'> | undefined;
  const events: RunEvent[] = [];
  const found = yield* eachHistory(sql, request, (part) => ('head' in part ? (head = part.head) : events.push(...part.events)));
  return found ? { ...head!, events } : undefined;
}

/**
 * A history for a document that shows it, with a digest of what was read: when it is the digest
 * the document has, the history is not sent again (nothing changed for this run).
 */
export function* details(sql: RunSql, request: DetailsRequest): Plan<DetailsAnswer | undefined> {
  const found = yield* history(sql, request);
  if (!found) return undefined;
  const digest = createHash('sha1').update(JSON.stringify(found)).digest('hex');
  return digest === request.digest ? { digest } : { digest, history: found };
}

/** A full id, or a unique prefix of at least `MIN_ID_PREFIX` characters. */
export function* resolveId(sql: RunSql, input: string): Plan<IdResolution> {
  const wanted = input.trim();
  if (sql.parts.isId(wanted)) {
    const [row] = yield sql.exactId(wanted);
    if (row) return { kind: 'found', id: String(row.id) };
  }
  if (wanted.length < MIN_ID_PREFIX) return { kind: 'too-short' };
  const matches = (yield sql.idsWithPrefix(wanted.toLowerCase(), 5)).map((row) => String(row.id));
  if (matches.length === 0) return { kind: 'not-found' };
  if (matches.length > 1) return { kind: 'ambiguous', matches };
  return { kind: 'found', id: matches[0] };
}

/**
 * The keys of the runs with a status, by bucket: the digests of all buckets, and the keys of those
 * whose digest is not the one `before` has (all of them on a first watch); the others are kept.
 */
function* statusKeys(sql: RunSql, status: string, before: KeyBuckets | undefined): Plan<KeyBuckets> {
  const now: KeyBuckets = {};
  const changed: unknown[] = [];
  for (const { b, d } of yield sql.statusBuckets(status)) {
    const kept = before?.[String(b)];
    if (kept?.digest === String(d)) now[String(b)] = kept;
    else {
      now[String(b)] = { digest: String(d), keys: [] };
      changed.push(b);
    }
  }
  if (changed.length) for (const { k, b } of yield sql.keysInBuckets(status, changed)) now[String(b)]?.keys.push(k as RunKey);
  return now;
}

/** The status watch (see model/statusWatch.ts): failed and completed runs by key, the live runs in scope. */
export function* watch(sql: RunSql, request: WatchRequest): Plan<StatusWatch> {
  const live = yield sql.liveRuns({ folders: request.folders });
  const now: WatchNow = {
    failed: yield* statusKeys(sql, 'failed', request.memory?.failed),
    completed: request.completed ? yield* statusKeys(sql, 'completed', request.memory?.completed) : undefined,
    live: live.map((r) => ({ id: String(r.id), status: String(r.status), interrupted: flag(r.interrupted), openGate: flag(r.open_gate) })),
  };
  const memory = watchMemory(now);
  const news = watchNews(memory, request.memory);
  const runs = news.keys.length || news.ids.size ? (yield sql.summaries({ folders: request.folders }, news.keys, [...news.ids.keys()])).map(runFromRow) : [];
  return statusWatch(now, memory, news, runs);
}

/** Each streamed read (see `StreamCalls`), as its plan. */
export const STREAMS: { [M in StreamCall]: (sql: RunSql, arg: StreamCalls[M][0], each: (part: StreamCalls[M][1]) => void) => Plan<StreamCalls[M][2]> } = {
  listRuns: eachRun,
  history: eachHistory,
};

/**
 * Each read, as the plan of the same name; but the graph, whose plan (graph/graphRead.ts) gives
 * what the database holds, and which each engine finishes outside its snapshot or transaction.
 */
export const READS: { [M in Exclude<ReaderCall, 'graph'>]: (sql: RunSql, arg: ReaderCalls[M][0]) => Plan<ReaderCalls[M][1]> } = {
  overview: (sql, request) => overview(sql, request),
  listRuns,
  counts,
  getRun,
  history,
  details,
  events,
  children,
  resolveId,
  watch,
};
