import type { RunReader } from './runReader';
import { limitsOf, type Overview, type OverviewRequest, wantedGroups } from '../model/overview';
import type { Tally } from '../reads/runReads';
import type { SqlValue } from './queryable';

/** What the snapshot tells about which pages changed (see `SnapshotFile`). */
export interface PageTracker {
  readonly mark: number;
  unchangedSince(mark: number, pages: Iterable<number>): boolean;
  record<T>(read: () => T): { value: T; pages: number[] };
}

/**
 * The overview of all but the newest runs, kept between refreshes in parts by rowid. Archon mostly
 * writes to its newest runs (and to events and messages): a part holds while none of the pages it
 * was read from changed and no running run in it can have turned stale since, and a refresh reads
 * only the newest runs, the older ones already listed, and the parts that no longer hold.
 */
export interface OverviewCache {
  request: string;
  /** The parts cover rowids up to this one; newer runs are read on every refresh. */
  upTo: number;
  parts: CachedPart[];
}

interface CachedPart {
  /** Rowids in (after, upTo]; the first part has no lower end. */
  after: number | undefined;
  upTo: number;
  /** When it was read (see `PageTracker.mark`), and the pages SQLite read for it. */
  mark: number;
  pages: number[];
  tally: Tally;
  /** The part's own newest runs per group: the only ones of it that can be listed. */
  candidates: number[];
}

/** Runs always read afresh: the newest ones, which Archon is updating. */
const RECENT_ROWS = 2048;
/** Parts the older runs are kept in: a change to an old run reads one part again, not all. */
const PARTS = 8;

function addTallies(a: Tally, b: Tally): Tally {
  const counts = { ...a.counts };
  for (const [status, n] of Object.entries(b.counts)) counts[status] = (counts[status] ?? 0) + n;
  return { counts, resumable: a.resumable + b.resumable, cancellable: a.cancellable + b.cancellable, openGates: a.openGates + b.openGates, turnsStaleFrom: null };
}

/** Reads one part of the older runs, noting the pages it depends on. */
function readPart(reader: RunReader, request: OverviewRequest, pages: PageTracker, after: number | undefined, upTo: number): CachedPart {
  const mark = pages.mark;
  const span = { after, upTo };
  const { value, pages: read } = pages.record(() => ({
    tally: reader.tally(request.base, span),
    candidates: reader.newestRowids(request.base, limitsOf(request, wantedGroups(request)), span),
  }));
  return { after, upTo, mark, pages: read, ...value };
}

function holds(reader: RunReader, pages: PageTracker, part: CachedPart): boolean {
  const watch = part.tally.turnsStaleFrom;
  return pages.unchangedSince(part.mark, part.pages) && (watch === null || !reader.staleNow(watch as SqlValue));
}

/** The cache for `request`: the parts that still hold, the others read again. Undefined when too small to split. */
function refreshCache(reader: RunReader, request: OverviewRequest, pages: PageTracker, cached?: OverviewCache): OverviewCache | undefined {
  const key = JSON.stringify(request);
  const newest = reader.maxRowid();
  if (cached?.request === key && newest - cached.upTo <= 2 * RECENT_ROWS) {
    const parts = cached.parts.map((part) => (holds(reader, pages, part) ? part : readPart(reader, request, pages, part.after, part.upTo)));
    return parts.every((part, i) => part === cached.parts[i]) ? cached : { ...cached, parts };
  }
  const upTo = newest - RECENT_ROWS;
  if (upTo < RECENT_ROWS) return undefined; // small enough to read whole every time
  const bounds = Array.from({ length: PARTS + 1 }, (_, i) => (i === 0 ? undefined : Math.round((upTo * i) / PARTS)));
  return { request: key, upTo, parts: bounds.slice(1).map((to, i) => readPart(reader, request, pages, bounds[i], to!)) };
}

/**
 * The tree's first render: counts per status and the newest runs of each group. With `pages`, the
 * older runs' parts are kept in the returned cache and reused by the next call while they hold.
 */
export function readOverview(
  reader: RunReader,
  request: OverviewRequest,
  pages?: PageTracker,
  cached?: OverviewCache,
): { overview: Overview; cache?: OverviewCache } {
  const cache = pages && refreshCache(reader, request, pages, cached);
  if (!cache) return { overview: reader.overviewFrom(request, reader.tally(request.base)) };
  const tally = cache.parts.reduce((sum, part) => addTallies(sum, part.tally), reader.tally(request.base, { after: cache.upTo }));
  const span = { after: cache.upTo, plus: cache.parts.flatMap((part) => part.candidates) };
  return { overview: reader.overviewFrom(request, tally, span), cache };
}
