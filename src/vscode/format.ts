import * as vscode from 'vscode';
import { plainText } from './untrustedText';
import type { RunSummary } from '../core/model/runModel';

/** "3 min ago", "2 h ago", "5 d ago" from an ISO UTC date. */
export function relative(iso: string | null, now = Date.now()): string {
  if (!iso) return vscode.l10n.t('unknown time');
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  if (seconds < 0) return vscode.l10n.t('in the future');
  if (seconds < 60) return vscode.l10n.t('just now');
  if (seconds < 3600) return vscode.l10n.t('{0} min ago', Math.floor(seconds / 60));
  if (seconds < 86400) return vscode.l10n.t('{0} h ago', Math.floor(seconds / 3600));
  return vscode.l10n.t('{0} d ago', Math.floor(seconds / 86400));
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
  return run.interrupted ? vscode.l10n.t('interrupted — resumable') : run.status;
}

export function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** A gate's kind in words ("approval" for gates older than the field). */
export function gateKind(type: string | null): string {
  switch (type) {
    case 'interactive_loop':
      return vscode.l10n.t('interactive loop');
    case 'writeback':
      return vscode.l10n.t('write-back');
    case 'child_workflow':
      return vscode.l10n.t('child workflow');
    case null:
    case 'approval':
      return vscode.l10n.t('approval');
    default:
      return type;
  }
}
