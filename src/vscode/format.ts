import { plainText } from './untrustedText';
import type { RunSummary } from '../core/runModel';

/** "3 min ago", "2 h ago", "5 d ago" from an ISO UTC date. */
export function relative(iso: string | null, now = Date.now()): string {
  if (!iso) return 'unknown time';
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  if (seconds < 0) return 'in the future';
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86400)} d ago`;
}

/** An absolute date in the user's local time. */
export function local(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}

export function duration(fromIso: string | null, toIso: string | null, now = Date.now()): string | undefined {
  if (!fromIso) return undefined;
  const ms = (toIso ? Date.parse(toIso) : now) - Date.parse(fromIso);
  if (!(ms >= 0)) return undefined;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** "archon-fix-github-issue (7439b164)", safe to show in a notification or quick pick. */
export function runName(run: Pick<RunSummary, 'workflowName' | 'id'>): string {
  return plainText(`${run.workflowName} (${shortId(run.id)})`);
}

export function statusText(run: Pick<RunSummary, 'status' | 'interrupted'>): string {
  return run.interrupted ? 'interrupted — resumable' : run.status;
}

export function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
