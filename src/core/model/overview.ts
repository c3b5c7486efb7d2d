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
  /** Runs paused at a gate that waits on a person. */
  openGates: number;
}

/** The groups the request asks for, in the tree's order. */
export function wantedGroups(request: OverviewRequest): GroupKey[] {
  const wanted = new Set(request.statuses);
  return GROUPS.filter((key) => !wanted.size || wanted.has(key));
}

/** The wanted groups that have runs, with how many. */
export function shownGroups(request: OverviewRequest, counts: StatusCounts): { key: GroupKey; count: number }[] {
  const unknown = Object.keys(counts).filter((s) => s !== 'interrupted' && !(STATUSES as readonly string[]).includes(s));
  return wantedGroups(request)
    .map((key) => ({ key, count: (key === 'other' ? unknown : [key]).reduce((n, s) => n + (counts[s] ?? 0), 0) }))
    .filter((g) => g.count > 0);
}

export function limitsOf(request: OverviewRequest, keys: GroupKey[]): Record<string, number> {
  return Object.fromEntries(keys.map((key) => [key, request.limits[key] ?? request.defaultLimit]));
}
