import type { RunReader } from './runReader';
import { STATUSES, type RunFilter, type RunSummary, type StatusCounts } from './runModel';

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
  const counts = reader.countByStatus(base);
  const wanted = new Set(request.statuses);
  const unknown = Object.keys(counts).filter((s) => s !== 'interrupted' && !(STATUSES as readonly string[]).includes(s));
  const groups: Group[] = [];
  for (const key of GROUPS) {
    if (wanted.size && !wanted.has(key)) continue;
    const statuses = key === 'other' ? unknown : [key];
    const count = statuses.reduce((n, s) => n + (counts[s] ?? 0), 0);
    if (count === 0) continue;
    groups.push({ key, count, runs: reader.listRuns({ ...base, statuses, limit: request.limits[key] ?? request.defaultLimit }) });
  }
  return {
    counts,
    groups,
    hasResumable: reader.listRuns({ ...base, resumable: true, limit: 1 }).length > 0,
    hasCancellable: reader.listRuns({ ...base, cancellable: true, limit: 1 }).length > 0,
  };
}
