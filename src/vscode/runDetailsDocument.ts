import * as vscode from 'vscode';
import { messageOf } from '../core/model/errors';
import type { RunHistory, RunSummary } from '../core/model/runModel';
import { duration, gateKind, local, shortId, statusText } from './format';
import { codeBlock, markdownText } from './untrustedText';
import { log } from './log';
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
export function renderDetails(history: RunHistory, olderLink: string): string {
  const { run, events, children } = history;
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
  lines.push('', `## ${t('Events ({0})', history.eventCount)}`, '');
  if (history.eventCount > events.length) lines.push(`${t('The newest {0}.', events.length)} [${t('Show {0} older events', DETAILS_EVENTS)}](${olderLink})`, '');
  for (const e of events) {
    lines.push(`### ${e.createdAt ? local(e.createdAt) : t('(no time)')} — ${markdownText(e.type)}${e.stepName ? ` — ${markdownText(e.stepName)}` : ''}`, '');
    if (e.data && !(typeof e.data === 'object' && Object.keys(e.data).length === 0)) lines.push(...codeBlock(json(e.data), 'json'), '');
  }
  return lines.join('\n') + '\n';
}

/** The events a details document renders at first, and how many more each "Show older events" adds: its newest. */
export const DETAILS_EVENTS = 500;

/** What a details document shows: how many events, the digest of what was read, and the text. */
interface Shown {
  events: number;
  digest?: string;
  text?: string;
}

/**
 * Read-only documents showing every field of a run, its metadata and its newest events. When the
 * database changes, each open document asks for its run again with the digest of what it shows
 * (see `details` in reads/runReads.ts): only a run that changed is sent and rendered again.
 */
export class RunDetailsProvider implements vscode.TextDocumentContentProvider, vscode.DocumentLinkProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];
  private readonly shown = new Map<string, Shown>();
  /** How many times documents asked for their run, and how many of those were rendered (the rest had not changed). */
  readonly stats = { reads: 0, renders: 0 };

  constructor(private readonly store: RunStore) {
    this.subscriptions = [
      // Open details follow the database as the tree does.
      store.onDidChange(() => {
        for (const doc of vscode.workspace.textDocuments) if (doc.uri.scheme === DETAILS_SCHEME) void this.update(doc.uri);
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => this.shown.delete(doc.uri.toString())),
    ];
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const shown = this.shown.get(uri.toString());
    if (shown?.text !== undefined) return shown.text;
    await this.read(uri);
    return this.shown.get(uri.toString())?.text ?? '';
  }

  /** Shows `DETAILS_EVENTS` more of the run's events. */
  async showOlderEvents(uri: vscode.Uri): Promise<void> {
    const shown = this.shown.get(uri.toString());
    if (!shown) return;
    this.shown.set(uri.toString(), { events: shown.events + DETAILS_EVENTS });
    await this.update(uri);
  }

  /** The "Show older events" link of a document. */
  provideDocumentLinks(doc: vscode.TextDocument): vscode.DocumentLink[] {
    const link = olderLink(doc.uri);
    const at = doc.getText().indexOf(`](${link})`);
    if (at < 0) return [];
    const start = doc.getText().lastIndexOf('[', at);
    return [new vscode.DocumentLink(new vscode.Range(doc.positionAt(start), doc.positionAt(at + link.length + 3)), vscode.Uri.parse(link))];
  }

  /** Reads the run again and renders it when it changed; the document is told only then. */
  private async update(uri: vscode.Uri): Promise<void> {
    if (await this.read(uri)) this.changed.fire(uri);
  }

  /** Reads the document's run (unless unchanged) and renders it; true when the text changed. */
  private async read(uri: vscode.Uri): Promise<boolean> {
    const key = uri.toString();
    const shown = this.shown.get(key) ?? { events: DETAILS_EVENTS };
    const before = shown.text;
    const state = this.store.state;
    if (state.kind !== 'ready') shown.text = `# ${markdownText(uri.query)}\n\n${vscode.l10n.t('The database is not loaded.')}\n`;
    else {
      let answer;
      try {
        answer = await this.store.read('details', { id: uri.query, events: shown.events, digest: shown.digest });
        this.stats.reads++;
      } catch (err) {
        log.warn(`reading details of ${uri.query}: ${messageOf(err)}`);
        return false;
      }
      shown.digest = answer?.digest;
      if (!answer) shown.text = `# ${markdownText(uri.query)}\n\n${markdownText(vscode.l10n.t('This run no longer exists in {0}.', state.where))}\n`;
      else if (answer.history) {
        shown.text = renderDetails(answer.history, olderLink(uri));
        this.stats.renders++;
      }
    }
    this.shown.set(key, shown);
    return shown.text !== before;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}

/** The command link that shows more of a document's events. */
function olderLink(uri: vscode.Uri): string {
  return `command:workflowRuns.showOlderDetailsEvents?${encodeURIComponent(JSON.stringify([uri.toString()]))}`;
}
