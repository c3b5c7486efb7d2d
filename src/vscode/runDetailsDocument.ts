import * as vscode from 'vscode';
import type { RunDetails, RunEvent, RunSummary } from '../core/model/runModel';
import { duration, gateKind, local, shortId, statusText } from './format';
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
  const t = vscode.l10n.t;
  const text = (value: string | null) => value && markdownText(value);
  const when = (iso: string | null) => iso && `${local(iso)} (${iso})`;
  const rows: [string, string | number | null][] = [
    [t('ID'), text(run.id)],
    [t('Status'), markdownText(statusText(run)) + (run.resumable ? ` (${t('resumable')})` : '')],
    [t('Outcome'), text(run.outcome)],
    [t('Project'), text(run.codebaseName)],
    [t('Platform'), text(run.platform)],
    [t('Started'), when(run.startedAt)],
    [t('Last activity'), when(run.lastActivityAt)],
    [t('Completed'), when(run.completedAt)],
    [t('Duration'), duration(run.startedAt, run.completedAt) ?? null],
    [t('Working path'), text(run.workingPath)],
    [t('Output root'), text(run.outputRoot)],
    [t('Parent run'), text(run.parentRunId)],
    [t('Conversation'), text(run.conversationId)],
    [t('Current step'), run.currentStepIndex],
  ];
  const lines = [`# ${markdownText(run.workflowName)}`, '', `| ${t('Field')} | ${t('Value')} |`, '| --- | --- |'];
  for (const [k, v] of rows) if (v !== null && v !== '') lines.push(`| ${k} | ${v} |`);
  if (run.error) lines.push('', `## ${t('Error')}`, '', ...codeBlock(run.error));
  const gate = run.approval;
  if (run.status === 'paused' && gate) {
    lines.push('', `## ${run.openGate ? t('Waiting for you') : t('Paused at a gate')}`, '');
    lines.push(`| ${t('Field')} | ${t('Value')} |`, '| --- | --- |', `| ${t('Gate')} | ${markdownText(gateKind(gate.type))} |`);
    if (gate.nodeId) lines.push(`| ${t('Node')} | ${markdownText(gate.nodeId)} |`);
    if (gate.iteration !== null) lines.push(`| ${t('Iteration')} | ${gate.iteration} |`);
    if (gate.decisions.length) lines.push(`| ${t('Decisions')} | ${gate.decisions.map((d) => markdownText(d.label ? `${d.label} (${d.id})` : d.id)).join(', ')} |`);
    if (gate.childRunId) {
      const child = children.find((c) => c.id === gate.childRunId);
      lines.push(`| ${t('Child run that waits')} | ${markdownText(gate.childRunId)}${child ? ` — ${markdownText(child.workflowName)}, ${markdownText(statusText(child))}` : ''} |`);
    }
    if (gate.message) lines.push('', ...codeBlock(gate.message));
  }
  if (run.userMessage) lines.push('', `## ${t('Message')}`, '', ...codeBlock(run.userMessage));
  lines.push('', `## ${run.metadataValid ? t('Metadata') : t('Metadata (not valid JSON, shown as stored)')}`, '', ...codeBlock(json(run.metadata), 'json'));
  if (children.length) {
    lines.push('', `## ${t('Child runs')}`, '');
    for (const c of children) lines.push(`- ${markdownText(c.workflowName)} — ${markdownText(statusText(c))} — ${markdownText(c.id)}`);
  }
  lines.push('', `## ${t('Events ({0})', events.length)}`, '');
  for (const e of events) {
    lines.push(`### ${e.createdAt ? local(e.createdAt) : t('(no time)')} — ${markdownText(e.type)}${e.stepName ? ` — ${markdownText(e.stepName)}` : ''}`, '');
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
    if (state.kind !== 'ready') return `# ${markdownText(uri.query)}\n\n${vscode.l10n.t('The database is not loaded.')}\n`;
    const history = await this.store.read('history', uri.query);
    if (!history) return `# ${markdownText(uri.query)}\n\n${markdownText(vscode.l10n.t('This run no longer exists in {0}.', state.where))}\n`;
    return renderDetails(history.run, history.events, history.children);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
