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

export function formatList(runs: RunSummary[], counts: StatusCounts): string {
  const lines = [`${pad('ID', 10)}${pad('STATUS', 23)}${pad('WORKFLOW', 32)}${pad('STARTED (UTC)', 22)}PROJECT`];
  for (const run of runs) {
    const status = statusLabel(run) + (run.resumable && !run.interrupted ? ' ↻' : '');
    lines.push(
      `${pad(printable(run.id.slice(0, 8)), 10)}${pad(printable(status), 23)}${pad(printable(run.workflowName), 32)}${pad(when(run.startedAt), 22)}${printable(run.codebaseName ?? '-')}`,
    );
  }
  if (runs.length === 0) lines.push('(no runs match)');
  const total = Object.entries(counts)
    .filter(([s]) => s !== 'interrupted')
    .map(([s, n]) => `${n} ${printable(s)}`)
    .join(', ');
  lines.push('', `${total || '0 runs'}${counts.interrupted ? ` (${counts.interrupted} interrupted)` : ''}. ↻ = resumable.`);
  return lines.join('\n');
}

/** A paused run's gate: its kind and node, and whether it waits on a person. */
function gateLine(run: RunDetails): string | null {
  const gate = run.approval;
  if (run.status !== 'paused' || !gate) return null;
  const what = `${gate.type ?? 'approval'}${gate.nodeId ? ` at node ${gate.nodeId}` : ''}`;
  return run.openGate ? `${what} (waiting for you: archon workflow approve|reject ${run.id.slice(0, 8)})` : what;
}

export function formatDetails(run: RunDetails, events: RunEvent[], children: RunSummary[]): string {
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
  lines.push('', events.length ? 'Events:' : 'Events: none');
  for (const e of events) {
    const step = e.stepName ?? (e.stepIndex !== null ? `step ${e.stepIndex}` : '');
    lines.push(`  ${when(e.createdAt)}  ${pad(printable(e.type), 24)}${printable(step)}`);
  }
  return lines.join('\n');
}
