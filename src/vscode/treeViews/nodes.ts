import * as vscode from 'vscode';
import type { GroupKey } from '../../core/model/overview';
import { gateActions, type RunEvent, type RunSummary } from '../../core/model/runModel';
import { duration, gateKind, local, relative, shortId, shorten, statusText } from '../format';
import { commandArgs, markdownText } from '../untrustedText';
import { statusIcon } from './icons';

export function groupLabel(key: GroupKey): string {
  const labels: Record<GroupKey, string> = {
    running: vscode.l10n.t('Running'),
    paused: vscode.l10n.t('Paused (awaiting approval)'),
    failed: vscode.l10n.t('Failed'),
    pending: vscode.l10n.t('Pending'),
    completed: vscode.l10n.t('Completed'),
    cancelled: vscode.l10n.t('Cancelled'),
    other: vscode.l10n.t('Other statuses'),
  };
  return labels[key];
}

export class GroupNode extends vscode.TreeItem {
  readonly kind = 'group';
  readonly hasMore: boolean;
  constructor(
    readonly key: GroupKey,
    count: number,
    readonly runs: RunSummary[],
    /** The group's note: interrupted runs among the running ones, open gates among the paused. */
    note: string | undefined,
  ) {
    super(`${groupLabel(key)} (${count})`, key === 'completed' || key === 'cancelled' ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded);
    this.id = `group:${key}`;
    this.contextValue = 'group';
    this.description = note;
    this.hasMore = runs.length < count;
  }
}

/**
 * Every database value is escaped: a crafted name must not add links, images or icons to the hover.
 * The one link it may hold is ours: to reveal the child run a parent waits on.
 */
function tooltip(run: RunSummary): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.isTrusted = { enabledCommands: ['workflowRuns.revealRun'] };
  const line = (label: string, value: string) => md.appendMarkdown(`${label}: ${value}  \n`);
  md.appendMarkdown(`**${markdownText(run.workflowName)}** — ${markdownText(statusText(run))}`);
  if (run.outcome) md.appendMarkdown(` (${vscode.l10n.t('outcome: {0}', markdownText(run.outcome))})`);
  md.appendMarkdown('\n\n');
  const when = (label: string, iso: string | null) => iso && line(label, `${relative(iso)} (${local(iso)})`);
  line(vscode.l10n.t('ID'), markdownText(run.id));
  if (run.codebaseName) line(vscode.l10n.t('Project'), markdownText(run.codebaseName));
  when(vscode.l10n.t('Started'), run.startedAt);
  when(vscode.l10n.t('Last activity'), run.lastActivityAt);
  when(vscode.l10n.t('Completed'), run.completedAt);
  const took = duration(run.startedAt, run.completedAt);
  if (took) line(vscode.l10n.t('Duration'), run.completedAt ? took : vscode.l10n.t('{0} so far', took));
  if (run.workingPath) line(vscode.l10n.t('Working path'), markdownText(run.workingPath));
  const gate = run.approval;
  if (run.status === 'paused' && gate) {
    md.appendMarkdown(`\n**${run.openGate ? vscode.l10n.t('Waiting for you') : vscode.l10n.t('Paused')}** — ${markdownText(gateKind(gate.type))}`);
    if (gate.nodeId) md.appendMarkdown(` ${vscode.l10n.t('at node {0}', markdownText(gate.nodeId))}`);
    if (gate.iteration !== null) md.appendMarkdown(` (${vscode.l10n.t('iteration {0}', gate.iteration)})`);
    md.appendMarkdown('\n\n');
    if (gate.message) md.appendMarkdown(`${markdownText(shorten(gate.message, 600))}\n\n`);
    if (gate.decisions.length) md.appendMarkdown(`${vscode.l10n.t('Decisions: {0}', gate.decisions.map((d) => markdownText(d.label ?? d.id)).join(', '))}\n\n`);
    if (gate.type === 'child_workflow' && gate.childRunId) {
      const link = `command:workflowRuns.revealRun?${commandArgs([gate.childRunId])}`;
      md.appendMarkdown(`${vscode.l10n.t('The gate to answer is the child run’s:')} [${markdownText(shortId(gate.childRunId))}](${link})\n\n`);
    }
  }
  if (run.userMessage) md.appendMarkdown(`\n${vscode.l10n.t('Message: {0}', markdownText(shorten(run.userMessage, 200)))}\n`);
  if (run.error) md.appendMarkdown(`\n$(error) ${markdownText(shorten(run.error, 400))}\n`);
  if (run.interrupted) md.appendMarkdown(`\n${vscode.l10n.t('No heartbeat for over a day: its executor stopped. Resume can claim it.')}\n`);
  return md;
}

/** The row's first words: what the run waits for, or why it is resumable. */
function lead(run: RunSummary): string | undefined {
  if (run.interrupted) return statusText(run);
  const gate = run.approval;
  if (run.status !== 'paused' || !gate) return undefined;
  if (gate.type === 'child_workflow') return vscode.l10n.t('waits on child run {0}', shortId(gate.childRunId ?? '?'));
  if (run.openGate) return shorten(gate.message ?? gateKind(gate.type), 60);
  return undefined;
}

export class RunNode extends vscode.TreeItem {
  readonly kind = 'run';
  constructor(
    readonly run: RunSummary,
    /** The node it is listed under: a status group (`group:<key>`) or the run that started it. */
    readonly parentId: string,
    showProject = true,
  ) {
    super(run.workflowName, vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `${parentId}/run:${run.id}`;
    const parts = [lead(run), relative(run.startedAt), showProject ? run.codebaseName : undefined];
    this.description = parts.filter(Boolean).join(' · ');
    this.iconPath = statusIcon(run);
    this.tooltip = tooltip(run);
    const flags = ['run', run.status];
    const gate = gateActions(run);
    if (gate.decide) flags.push('gate');
    if (gate.respond) flags.push('respond');
    if (run.approval?.type === 'child_workflow' && run.approval.childRunId) flags.push('childWait');
    if (run.resumable) flags.push('resumable');
    if (run.cancellable) flags.push('cancellable');
    if (run.workingPath) flags.push('hasWorkingPath');
    this.contextValue = flags.join(' ');
    this.accessibilityInformation = { label: vscode.l10n.t('{0}, {1}, started {2}', run.workflowName, statusText(run), relative(run.startedAt)) };
  }
}

export class EventsNode extends vscode.TreeItem {
  readonly kind = 'events';
  constructor(
    readonly runId: string,
    parentId: string,
  ) {
    super(vscode.l10n.t('Events'), vscode.TreeItemCollapsibleState.Collapsed);
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

/** Above a run's newest events: shows older ones. */
export class OlderEventsNode extends vscode.TreeItem {
  readonly kind = 'older';
  constructor(eventsNode: EventsNode, older: number) {
    super(vscode.l10n.t('Show older events ({0} more)', older), vscode.TreeItemCollapsibleState.None);
    this.id = `${eventsNode.id}/older`;
    this.iconPath = new vscode.ThemeIcon('ellipsis');
    this.command = { command: 'workflowRuns.showOlderEvents', title: vscode.l10n.t('Show older events'), arguments: [eventsNode.id] };
  }
}

export class ShowMoreNode extends vscode.TreeItem {
  readonly kind = 'more';
  constructor(readonly key: GroupKey) {
    super(vscode.l10n.t('Show more…'), vscode.TreeItemCollapsibleState.None);
    this.id = `group:${key}/more`;
    this.iconPath = new vscode.ThemeIcon('ellipsis');
    this.command = { command: 'workflowRuns.showMore', title: vscode.l10n.t('Show more'), arguments: [key] };
  }
}

export class MessageNode extends vscode.TreeItem {
  readonly kind = 'message';
  constructor(label: string, id: string) {
    super(label, vscode.TreeItemCollapsibleState.None);
    this.id = id;
  }
}

export type Node = GroupNode | RunNode | EventsNode | EventNode | OlderEventsNode | ShowMoreNode | MessageNode;
