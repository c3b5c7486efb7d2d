import type { RunReader } from './runReader';
import type { RunSummary } from '../model/runModel';

/**
 * The status watch: what a person should hear about, read cheaply on every change of the database
 * (the view may be hidden), and compared with what the previous read found.
 *
 * Failed and completed runs are followed by rowid over the whole database, from the status index
 * alone (a run of another project that fails is no news, and is not looked up); running and
 * paused runs, few at any time, are read in the scope. Only the runs that moved are read in full.
 */

/** What one watch found, for the next one to compare with (the caller keeps it). */
export interface WatchMemory {
  failed: number[];
  /** Only when completions are watched. */
  completed?: number[];
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

function added<T>(now: T[], before: T[] | undefined): T[] {
  if (!before) return [];
  const known = new Set(before);
  return now.filter((x) => !known.has(x));
}

export function readStatusWatch(reader: RunReader, request: WatchRequest): StatusWatch {
  const scope = { folders: request.folders };
  const live = reader.liveRuns(scope);
  const memory: WatchMemory = {
    failed: reader.rowidsWithStatus('failed'),
    completed: request.completed ? reader.rowidsWithStatus('completed') : undefined,
    gates: live.filter((r) => r.openGate).map((r) => r.id),
    interrupted: live.filter((r) => r.interrupted).map((r) => r.id),
  };
  const running = live.filter((r) => r.status === 'running' && !r.interrupted).length;
  const before = request.memory;
  if (!before) return { running, awaiting: memory.gates.length, memory, arrived: [] };
  // Only what moved is read in full, and only where it is in scope.
  const kinds = new Map<string, Transition>();
  for (const id of added(memory.gates, before.gates)) kinds.set(id, 'gate');
  for (const id of added(memory.interrupted, before.interrupted)) kinds.set(id, 'interrupted');
  const rowids = [...added(memory.failed, before.failed), ...added(memory.completed ?? [], before.completed)];
  const runs = reader.summaries(scope, { rowids, ids: [...kinds.keys()] });
  const arrived = runs.map((run) => ({ kind: kinds.get(run.id) ?? (run.status === 'failed' ? ('failed' as const) : ('completed' as const)), run }));
  return { running, awaiting: memory.gates.length, memory, arrived };
}
