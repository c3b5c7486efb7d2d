import * as vscode from 'vscode';
import type { RunEvent, RunSummary } from '../../core/runModel';
import { duration, local, relative, shorten, statusText } from '../format';
import type { GroupKey } from '../../core/overview';
import { markdownText } from '../untrustedText';
import { statusIcon } from './icons';

export const GROUP_LABELS: Record<GroupKey, string> = {
  running: 'Running',
  paused: 'Paused (awaiting approval)',
  failed: 'Failed',
  pending: 'Pending',
  completed: 'Completed',
  cancelled: 'Cancelled',
  other: 'Other statuses',
};

export class GroupNode extends vscode.TreeItem {
  readonly kind = 'group';
  constructor(
    readonly key: GroupKey,
    count: number,
    readonly runs: RunSummary[],
    interrupted: number,
  ) {
    super(`${GROUP_LABELS[key]} (${count})`, key === 'completed' || key === 'cancelled' ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded);
    this.id = `group:${key}`;
    this.contextValue = 'group';
    if (interrupted) this.description = `${interrupted} interrupted`;
    this.hasMore = runs.length < count;
  }
  readonly hasMore: boolean;
}

/** Every database value is escaped: a crafted name must not add links, images or icons to the hover. */
function tooltip(run: RunSummary): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  const line = (label: string, value: string) => md.appendMarkdown(`${label}: ${value}  \n`);
  md.appendMarkdown(`**${markdownText(run.workflowName)}** — ${markdownText(statusText(run))}`);
  if (run.outcome) md.appendMarkdown(` (outcome: ${markdownText(run.outcome)})`);
  md.appendMarkdown('\n\n');
  const when = (label: string, iso: string | null) => iso && line(label, `${relative(iso)} (${local(iso)})`);
  line('ID', markdownText(run.id));
  if (run.codebaseName) line('Project', markdownText(run.codebaseName));
  when('Started', run.startedAt);
  when('Last activity', run.lastActivityAt);
  when('Completed', run.completedAt);
  const took = duration(run.startedAt, run.completedAt);
  if (took) line('Duration', `${took}${run.completedAt ? '' : ' so far'}`);
  if (run.workingPath) line('Working path', markdownText(run.workingPath));
  if (run.approval?.message) md.appendMarkdown(`\nAwaiting approval: ${markdownText(shorten(run.approval.message, 200))}\n`);
  if (run.userMessage) md.appendMarkdown(`\nMessage: ${markdownText(shorten(run.userMessage, 200))}\n`);
  if (run.error) md.appendMarkdown(`\n$(error) ${markdownText(shorten(run.error, 400))}\n`);
  if (run.interrupted) md.appendMarkdown('\nNo heartbeat for over a day: its executor stopped. Resume can claim it.\n');
  return md;
}

export class RunNode extends vscode.TreeItem {
  readonly kind = 'run';
  constructor(
    readonly run: RunSummary,
    parentId: string,
    showProject = true,
  ) {
    super(run.workflowName, vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `${parentId}/run:${run.id}`;
    const parts = [relative(run.startedAt)];
    if (run.codebaseName && showProject) parts.push(run.codebaseName);
    if (run.interrupted) parts.unshift('interrupted — resumable');
    this.description = parts.join(' · ');
    this.iconPath = statusIcon(run);
    this.tooltip = tooltip(run);
    const flags = ['run', run.status];
    if (run.resumable) flags.push('resumable');
    if (run.cancellable) flags.push('cancellable');
    if (run.workingPath) flags.push('hasWorkingPath');
    this.contextValue = flags.join(' ');
    this.accessibilityInformation = { label: `${run.workflowName}, ${statusText(run)}, started ${relative(run.startedAt)}` };
  }
}

export class EventsNode extends vscode.TreeItem {
  readonly kind = 'events';
  constructor(
    readonly runId: string,
    parentId: string,
  ) {
    super('Events', vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `${parentId}/events`;
    this.iconPath = new vscode.ThemeIcon('history');
    this.contextValue = 'events';
  }
}

export class EventNode extends vscode.TreeItem {
  readonly kind = 'event';
  constructor(event: RunEvent, parentId: string) {
    super(event.type, vscode.TreeItemCollapsibleState.None);
    this.id = `${parentId}/${event.id}`;
    this.description = [event.stepName, relative(event.createdAt)].filter(Boolean).join(' · ');
    this.tooltip = `${event.type}${event.stepName ? ` — ${event.stepName}` : ''}\n${local(event.createdAt)}\n\n${shorten(
      typeof event.data === 'string' ? event.data : JSON.stringify(event.data),
      500,
    )}`;
    this.iconPath = new vscode.ThemeIcon(event.type.includes('fail') ? 'error' : event.type.includes('complete') ? 'check' : 'circle-small-filled');
    this.contextValue = 'event';
  }
}

export class ShowMoreNode extends vscode.TreeItem {
  readonly kind = 'more';
  constructor(readonly key: GroupKey) {
    super('Show more…', vscode.TreeItemCollapsibleState.None);
    this.id = `group:${key}/more`;
    this.iconPath = new vscode.ThemeIcon('ellipsis');
    this.command = { command: 'workflowRuns.showMore', title: 'Show more', arguments: [key] };
  }
}

export class MessageNode extends vscode.TreeItem {
  readonly kind = 'message';
  constructor(label: string, id: string) {
    super(label, vscode.TreeItemCollapsibleState.None);
    this.id = id;
  }
}

export type Node = GroupNode | RunNode | EventsNode | EventNode | ShowMoreNode | MessageNode;
