import type { RunSummary } from './runModel';

/**
 * The status watch: what a person should hear about, read cheaply on every change of the database
 * (the view may be hidden), and compared with what the previous read found. Each engine reads
 * what is so now (`WatchNow`); what moved since is worked out here, the same for both.
 *
 * Failed and completed runs are followed by key (a rowid on SQLite, read from the status index
 * alone; the id on PostgreSQL) over the whole database: a run of another project that fails is no
 * news, and is not looked up. A watch reads them incrementally: the keys are kept in buckets with a
 * digest each, computed in SQL, and only the keys of a bucket whose digest changed are read again
 * (a database with 500,000 failed runs reads a few hundred digests on a quiet poll). Running and
 * paused runs, few at any time, are read in the scope. Only the runs that moved are read in full.
 */

export type RunKey = number | string;

/** The keys of the runs with one status, by bucket (see `RunSql.statusBuckets`): each bucket's digest and its keys. */
export type KeyBuckets = Record<string, { digest: string; keys: RunKey[] }>;

/** What one watch found, for the next one to compare with (the caller keeps it). */
export interface WatchMemory {
  failed: KeyBuckets;
  /** Only when completions are watched. */
  completed?: KeyBuckets;
  /** Runs in scope at a gate that waits on a person, and interrupted ones, by id. */
  gates: string[];
  interrupted: string[];
}

export interface WatchRequest {
  /** The scope: runs whose project folder or working path is in one of these; all when undefined. */
  folders?: string[];
  /** Whether completions are news too (the `all` notification setting). */
  completed: boolean;
  /** What the previous watch found; none on the first, which reports nothing as news. */
  memory?: WatchMemory;
}

export type Transition = 'failed' | 'gate' | 'interrupted' | 'completed';

export interface StatusWatch {
  /** Runs in scope that are running (interrupted ones aside). */
  running: number;
  /** Runs in scope at a gate that waits on a person. */
  awaiting: number;
  memory: WatchMemory;
  /** Runs in scope that moved into a state worth telling since `memory`. */
  arrived: { kind: Transition; run: RunSummary }[];
}

/** What an engine reads for a watch: the keys of failed (and completed) runs, and the live runs in scope. */
export interface WatchNow {
  failed: KeyBuckets;
  completed?: KeyBuckets;
  live: { id: string; status: string; interrupted: boolean; openGate: boolean }[];
}

/** The runs to read in full: by key (failed, completed) and by id (gates, interrupted), with what each id became. */
export interface WatchNews {
  keys: RunKey[];
  ids: Map<string, Transition>;
}

function added<T>(now: T[], before: T[] | undefined): T[] {
  if (!before) return [];
  const known = new Set(before);
  return now.filter((x) => !known.has(x));
}

/** The keys now in buckets whose digest changed that were not there before (none without a before). */
function addedKeys(now: KeyBuckets, before: KeyBuckets | undefined): RunKey[] {
  if (!before) return [];
  return Object.entries(now).flatMap(([bucket, { digest, keys }]) => (before[bucket]?.digest === digest ? [] : added(keys, before[bucket]?.keys ?? [])));
}

/** What is so now, as memory for the next watch. */
export function watchMemory(now: WatchNow): WatchMemory {
  return {
    failed: now.failed,
    completed: now.completed,
    gates: now.live.filter((r) => r.openGate).map((r) => r.id),
    interrupted: now.live.filter((r) => r.interrupted).map((r) => r.id),
  };
}

/** What moved since `before` (nothing without it: the first watch only learns). */
export function watchNews(memory: WatchMemory, before: WatchMemory | undefined): WatchNews {
  const ids = new Map<string, Transition>();
  if (!before) return { keys: [], ids };
  for (const id of added(memory.gates, before.gates)) ids.set(id, 'gate');
  for (const id of added(memory.interrupted, before.interrupted)) ids.set(id, 'interrupted');
  return { keys: [...addedKeys(memory.failed, before.failed), ...addedKeys(memory.completed ?? {}, before.completed)], ids };
}

/** The watch's answer, from what is so, the memory, what moved, and the moved runs read in scope. */
export function statusWatch(now: WatchNow, memory: WatchMemory, news: WatchNews, runs: RunSummary[]): StatusWatch {
  return {
    running: now.live.filter((r) => r.status === 'running' && !r.interrupted).length,
    awaiting: memory.gates.length,
    memory,
    arrived: runs.map((run) => ({ kind: news.ids.get(run.id) ?? (run.status === 'failed' ? ('failed' as const) : ('completed' as const)), run })),
  };
}
