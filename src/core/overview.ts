import type { RowSpan, RunReader, Tally } from './runReader';
import { type RunFilter, type RunSummary, STATUSES, type StatusCounts } from './runModel';

/** The tree's groups, in the order people look for them; `other` holds statuses Archon may add. */
export const GROUPS = [...STATUSES, 'other'] as const;
export type GroupKey = (typeof GROUPS)[number];

export interface Group {
  key: GroupKey;
  count: number;
  runs: RunSummary[];
}

export interface OverviewRequest {
  /** Scope and text filter shared by every group. */
  base: RunFilter;
  /** Groups to show; empty for all. */
  statuses: string[];
  /** Runs to list per group. */
  limits: Partial<Record<GroupKey, number>>;
  defaultLimit: number;
}

/** Everything the tree's first render needs, read in one go from one snapshot. */
export interface Overview {
  counts: StatusCounts;
  groups: Group[];
  hasResumable: boolean;
  hasCancellable: boolean;
}

/** What the snapshot tells about which pages changed (see `SnapshotFile`). */
export interface PageTracker {
  readonly mark: number;
  unchangedSince(mark: number, pages: Iterable<number>): boolean;
  record<T>(read: () => T): { value: T; pages: number[] };
}

/**
 * The overview of all but the newest runs, kept between refreshes. Archon mostly writes to its
 * newest runs (and to events and messages): while none of the pages this part was read from
 * changed, and no running run in it turned stale, it still holds, and a refresh reads only the
 * newest runs and the few older ones already listed.
 */
export interface OverviewCache {
  request: string;
  mark: number;
  pages: number[];
  /** The part covers rowids up to this one. */
  upTo: number;
  tally: Tally;
  /** The part's own newest runs per group: the only ones of it that can be listed. */
  candidates: number[];
}

/** Runs always read afresh: the newest ones, which Archon is updating. */
const RECENT_ROWS = 2048;

function groupsWanted(request: OverviewRequest, counts?: StatusCounts): { key: GroupKey; count: number }[] {
  const wanted = new Set(request.statuses);
  const unknown = counts ? Object.keys(counts).filter((s) => s !== 'interrupted' && !(STATUSES as readonly string[]).includes(s)) : [];
  return GROUPS.filter((key) => !wanted.size || wanted.has(key))
    .map((key) => ({ key, count: counts ? (key === 'other' ? unknown : [key]).reduce((n, s) => n + (counts[s] ?? 0), 0) : 0 }))
    .filter((g) => !counts || g.count > 0);
}

function limitsOf(request: OverviewRequest, groups: { key: GroupKey }[]): Record<string, number> {
  return Object.fromEntries(groups.map((g) => [g.key, request.limits[g.key] ?? request.defaultLimit]));
}

function addTallies(a: Tally, b: Tally): Tally {
  const counts = { ...a.counts };
  for (const [status, n] of Object.entries(b.counts)) counts[status] = (counts[status] ?? 0) + n;
  return { counts, resumable: a.resumable + b.resumable, cancellable: a.cancellable + b.cancellable, turnsStaleFrom: null };
}

/** The overview from a tally and the span of rows its groups' runs are ranked in. */
function assemble(reader: RunReader, request: OverviewRequest, tally: Tally, span?: RowSpan): Overview {
  const shown = groupsWanted(request, tally.counts);
  const newest = reader.newestByGroup(request.base, limitsOf(request, shown), span);
  return {
    counts: tally.counts,
    groups: shown.map((g) => ({ ...g, runs: (newest[g.key] ?? []).map((r) => r.run) })),
    hasResumable: tally.resumable > 0,
    hasCancellable: tally.cancellable > 0,
  };
}

/** Reads the part of the overview kept between refreshes, noting the pages it depends on. */
function cachePart(reader: RunReader, request: OverviewRequest, pages: PageTracker): OverviewCache | undefined {
  const upTo = reader.maxRowid() - RECENT_ROWS;
  if (upTo < RECENT_ROWS) return undefined; // small enough to read whole every time
  const mark = pages.mark;
  const { value, pages: read } = pages.record(() => {
    const tally = reader.tally(request.base, { upTo });
    const newest = reader.newestByGroup(request.base, limitsOf(request, groupsWanted(request)), { upTo });
    return { tally, candidates: Object.values(newest).flatMap((runs) => runs.map((r) => r.rowid)) };
  });
  return { request: JSON.stringify(request), mark, pages: read, upTo, ...value };
}

/**
 * The tree's first render: counts per status and the newest runs of each group. With `pages`, the
 * older runs' part is kept in the returned cache and reused by the next call while it holds.
 */
export function readOverview(
  reader: RunReader,
  request: OverviewRequest,
  pages?: PageTracker,
  cached?: OverviewCache,
): { overview: Overview; cache?: OverviewCache } {
  if (!pages) return { overview: assemble(reader, request, reader.tally(request.base)) };
  const holds =
    cached &&
    cached.request === JSON.stringify(request) &&
    pages.unchangedSince(cached.mark, cached.pages) &&
    (cached.tally.turnsStaleFrom === null || !reader.staleNow(cached.tally.turnsStaleFrom));
  const cache = holds ? cached : cachePart(reader, request, pages);
  if (!cache) return { overview: assemble(reader, request, reader.tally(request.base)) };
  const span = { after: cache.upTo, plus: cache.candidates };
  const tally = addTallies(cache.tally, reader.tally(request.base, { after: cache.upTo }));
  return { overview: assemble(reader, request, tally, span), cache };
}
