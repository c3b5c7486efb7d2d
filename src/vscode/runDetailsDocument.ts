import * as vscode from 'vscode';
import type { RunDetails, RunEvent, RunSummary } from '../core/runModel';
import { duration, local, shortId, statusText } from './format';
import { codeBlock, markdownText } from './untrustedText';
import type { RunStore } from './runStore';

export const DETAILS_SCHEME = 'workflow-run';

export function detailsUri(run: RunSummary): vscode.Uri {
  return vscode.Uri.from({ scheme: DETAILS_SCHEME, path: `/${shortId(run.id)} ${run.workflowName.replace(/[\\/]/g, '-')}.md`, query: run.id });
}

function json(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

/**
 * The details as Markdown. Every database value is escaped or fenced, so the document shows the
 * same text in its preview and adds no link, image or HTML a crafted run could carry.
 */
export function renderDetails(run: RunDetails, events: RunEvent[], children: RunSummary[]): string {
  const text = (value: string | null) => value && markdownText(value);
  const rows: [string, string | number | null][] = [
    ['ID', text(run.id)],
    ['Status', markdownText(statusText(run)) + (run.resumable ? ' (resumable)' : '')],
    ['Outcome', text(run.outcome)],
    ['Project', text(run.codebaseName)],
    ['Platform', text(run.platform)],
    ['Started', run.startedAt && `${local(run.startedAt)} (${run.startedAt})`],
    ['Last activity', run.lastActivityAt && `${local(run.lastActivityAt)} (${run.lastActivityAt})`],
    ['Completed', run.completedAt && `${local(run.completedAt)} (${run.completedAt})`],
    ['Duration', duration(run.startedAt, run.completedAt) ?? null],
    ['Working path', text(run.workingPath)],
    ['Output root', text(run.outputRoot)],
    ['Parent run', text(run.parentRunId)],
    ['Conversation', text(run.conversationId)],
    ['Current step', run.currentStepIndex],
  ];
  const lines = [`# ${markdownText(run.workflowName)}`, '', '| Field | Value |', '| --- | --- |'];
  for (const [k, v] of rows) if (v !== null && v !== '') lines.push(`| ${k} | ${v} |`);
  if (run.error) lines.push('', '## Error', '', ...codeBlock(run.error));
  if (run.approval) lines.push('', '## Awaiting approval', '', ...codeBlock(`${run.approval.type ?? 'approval'}: ${run.approval.message ?? ''}`));
  if (run.userMessage) lines.push('', '## Message', '', ...codeBlock(run.userMessage));
  lines.push('', `## Metadata${run.metadataValid ? '' : ' (not valid JSON, shown as stored)'}`, '', ...codeBlock(json(run.metadata), 'json'));
  if (children.length) {
    lines.push('', '## Child runs', '');
    for (const c of children) lines.push(`- ${markdownText(c.workflowName)} — ${markdownText(statusText(c))} — ${markdownText(c.id)}`);
  }
  lines.push('', `## Events (${events.length})`, '');
  for (const e of events) {
    lines.push(`### ${e.createdAt ? local(e.createdAt) : '(no time)'} — ${markdownText(e.type)}${e.stepName ? ` — ${markdownText(e.stepName)}` : ''}`, '');
    if (e.data && !(typeof e.data === 'object' && Object.keys(e.data).length === 0)) lines.push(...codeBlock(json(e.data), 'json'), '');
  }
  return lines.join('\n') + '\n';
}

/** Read-only documents showing every field of a run, its metadata and its events. */
export class RunDetailsProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly store: RunStore) {
    // Open details follow the database as the tree does.
    this.subscription = store.onDidChange(() => {
      for (const doc of vscode.workspace.textDocuments) if (doc.uri.scheme === DETAILS_SCHEME) this.changed.fire(doc.uri);
    });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const state = this.store.state;
    if (state.kind !== 'ready') return `# Run ${uri.query}\n\nThe database is not loaded.\n`;
    const history = await this.store.read('history', uri.query);
    if (!history) return `# Run ${uri.query}\n\nThis run no longer exists in ${state.dbPath}.\n`;
    return renderDetails(history.run, history.events, history.children);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
