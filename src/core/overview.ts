import type { RunReader } from './runReader';
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

export function readOverview(reader: RunReader, request: OverviewRequest): Overview {
  const { base } = request;
  const { counts, resumable, cancellable } = reader.tally(base);
  const wanted = new Set(request.statuses);
  const unknown = Object.keys(counts).filter((s) => s !== 'interrupted' && !(STATUSES as readonly string[]).includes(s));
  const shown = GROUPS.filter((key) => !wanted.size || wanted.has(key))
    .map((key) => ({ key, count: (key === 'other' ? unknown : [key]).reduce((n, s) => n + (counts[s] ?? 0), 0) }))
    .filter((g) => g.count > 0);
  const newest = reader.newestByGroup(base, Object.fromEntries(shown.map((g) => [g.key, request.limits[g.key] ?? request.defaultLimit])));
  return {
    counts,
    groups: shown.map((g) => ({ ...g, runs: newest[g.key] ?? [] })),
    hasResumable: resumable > 0,
    hasCancellable: cancellable > 0,
  };
}
