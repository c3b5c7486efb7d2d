import type { NodeView, RunGraph } from '../core/graph/runNodes';
import { printable } from '../core/model/displayText';
import type { RunDetails, RunEvent, RunSummary, StatusCounts } from '../core/model/runModel';

function pad(text: string, width: number): string {
  return text.length > width ? text.slice(0, width - 1) + '…' : text.padEnd(width);
}

function when(iso: string | null): string {
  return iso ? iso.replace('T', ' ') : '-';
}

export function statusLabel(run: RunSummary): string {
  return run.interrupted ? 'running (interrupted)' : run.status;
}

/** The list's heading line; its runs follow, a line each (`listLine`), then `listFooter`. */
export function listHeading(): string {
  return `${pad('ID', 10)}${pad('STATUS', 23)}${pad('WORKFLOW', 32)}${pad('STARTED (UTC)', 22)}PROJECT`;
}

export function listLine(run: RunSummary): string {
  const status = statusLabel(run) + (run.resumable && !run.interrupted ? ' ↻' : '');
  return `${pad(printable(run.id.slice(0, 8)), 10)}${pad(printable(status), 23)}${pad(printable(run.workflowName), 32)}${pad(when(run.startedAt), 22)}${printable(run.codebaseName ?? '-')}`;
}

/** After `listed` runs: the counts of all that match. */
export function listFooter(listed: number, counts: StatusCounts): string {
  const total = Object.entries(counts)
    .filter(([s]) => s !== 'interrupted')
    .map(([s, n]) => `${n} ${printable(s)}`)
    .join(', ');
  return `${listed === 0 ? '(no runs match)\n' : ''}\n${total || '0 runs'}${counts.interrupted ? ` (${counts.interrupted} interrupted)` : ''}. ↻ = resumable.`;
}

/** A paused run's gate: its kind and node, and whether it waits on a person. */
function gateLine(run: RunDetails): string | null {
  const gate = run.approval;
  if (run.status !== 'paused' || !gate) return null;
  const what = `${gate.type ?? 'approval'}${gate.nodeId ? ` at node ${gate.nodeId}` : ''}`;
  return run.openGate ? `${what} (waiting for you: archon workflow approve|reject ${run.id.slice(0, 8)})` : what;
}

const SYMBOLS: Record<string, string> = {
  completed: '✓',
  failed: '✗',
  running: '▶',
  waiting: '⏸',
  pending: '○',
  'not-run': '·',
  skipped: '↷',
  cancelled: '⊘',
};

/** 850 ms, 12.3 s, 4m 05s, 2h 01m. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** What to say of a node after its duration: its error, its decision, why it was skipped or cancelled. */
function nodeNote(node: NodeView): string {
  const firstLine = (text: string) => text.split('\n')[0];
  if (node.error) return firstLine(node.error);
  if (node.decision) return node.decision + (node.comment ? `: ${firstLine(node.comment)}` : '');
  if (node.reason) return node.reason + (node.expression ? ` (${node.expression})` : '');
  if (node.childRunId) return `child run ${node.childRunId.slice(0, 8)}`;
  return node.unknown ? '(not in the workflow)' : '';
}

const SOURCES = { frozen: 'the workflow the run froze', workspace: 'the workflow file as it is now', events: 'its events only, without edges' };

/** The node table `show` prints above the events: state, id, kind, duration, and an error or a decision. */
export function formatNodes(graph: RunGraph): string[] {
  const lines = [`Nodes (${SOURCES[graph.graph.source]}):`];
  if (graph.graph.detail) lines.push(`  ${printable(graph.graph.detail)}`);
  for (const node of graph.nodes) {
    const note = nodeNote(node);
    const line = `  ${SYMBOLS[node.status] ?? '?'} ${pad(printable(node.id), 28)} ${pad(node.kind ?? '?', 10)} ${pad(node.status === 'completed' || node.status === 'failed' ? formatDuration(node.durationMs) : node.status, 9)} ${printable(note)}`;
    lines.push(line.trimEnd().slice(0, 160));
  }
  if (!graph.nodes.length) lines.push('  none');
  const { passes, elapsedMs } = graph.graph;
  if (passes.length > 1 || elapsedMs !== null) lines.push(`  ${passes.length} pass${passes.length === 1 ? '' : 'es'}${elapsedMs !== null ? `, ${formatDuration(elapsedMs)} in all` : ''}`);
  for (const problem of graph.graph.problems) lines.push(`  Note: ${printable(problem)}`);
  return lines;
}

/**
 * A run's fields, its child runs, its nodes (with its graph), and the heading of its events: how
 * many, and, when `shown` is fewer, that these are its newest. Its events follow, a line each (`eventLine`).
 */
export function detailsHead(run: RunDetails, children: RunSummary[], eventCount: number, shown: number | 'all', graph?: RunGraph): string {
  const rows: [string, string | number | null][] = [
    ['ID', run.id],
    ['Workflow', run.workflowName],
    ['Status', statusLabel(run)],
    ['Resumable', run.resumable ? 'yes' : 'no'],
    ['Outcome', run.outcome],
    ['Project', run.codebaseName],
    ['Platform', run.platform],
    ['Started', when(run.startedAt)],
    ['Last activity', when(run.lastActivityAt)],
    ['Completed', when(run.completedAt)],
    ['Current step', run.currentStepIndex],
    ['Working path', run.workingPath],
    ['Parent run', run.parentRunId],
    ['Error', run.error],
    ['Gate', gateLine(run)],
    ['Question', run.status === 'paused' ? (run.approval?.message ?? null) : null],
    ['Decisions', run.status === 'paused' && run.approval?.decisions.length ? run.approval.decisions.map((d) => d.id).join(', ') : null],
    ['Waits on', run.status === 'paused' ? (run.approval?.childRunId ?? null) : null],
    ['Message', run.userMessage],
  ];
  const lines = rows.filter(([, v]) => v !== null && v !== '').map(([k, v]) => `${pad(k + ':', 15)}${printable(String(v))}`);
  if (!run.metadataValid) lines.push(`${pad('Metadata:', 15)}(not valid JSON) ${printable(String(run.metadata))}`);
  if (children.length) {
    lines.push('', 'Child runs:');
    for (const c of children) lines.push(`  ${printable(c.id.slice(0, 8))}  ${pad(printable(statusLabel(c)), 22)}${printable(c.workflowName)}`);
  }
  if (graph) lines.push('', ...formatNodes(graph));
  const heading =
    eventCount === 0 ? 'Events: none' : shown === 'all' || eventCount <= shown ? `Events (${eventCount}):` : `Events: the newest ${shown} of ${eventCount} (--events all prints every one):`;
  lines.push('', heading);
  return lines.join('\n');
}

export function eventLine(e: RunEvent): string {
  const step = e.stepName ?? (e.stepIndex !== null ? `step ${e.stepIndex}` : '');
  return `  ${when(e.createdAt)}  ${pad(printable(e.type), 24)}${printable(step)}`;
}
