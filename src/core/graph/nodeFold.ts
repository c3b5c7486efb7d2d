import type { RunEvent } from '../model/runModel';
import { MAX_WORKFLOW_NODES, type NodeKind } from '../workflows/workflowDefinition';
import { MAX_ITERATIONS, type NodeState, OUTPUT_HEAD, pendingState, type TokenCounts } from './nodeState';

/** One execution of the run: each `workflow_started` begins one (a resume writes it again). */
export interface Pass {
  number: number;
  startedAt: string | null;
  /** Its `workflow_completed`/`_failed`/`_cancelled`, else its last event so far. */
  endedAt: string | null;
  /** Archon's own `duration_ms` of a completed pass, else `endedAt - startedAt`. */
  durationMs: number | null;
}

/** The kind an event shows its node to be, where it shows one (the data of `node_started` says which executor ran). */
const KIND_HINTS: Record<string, ((data: Data) => NodeKind | undefined) | undefined> = {
  node_started: (d) => (d.type === 'bash' || d.type === 'script' ? 'exec' : d.type === 'loop' ? 'loop' : d.provider !== undefined || d.command !== undefined ? 'agent' : undefined),
  node_completed: (d) => (d.type === 'workflow' ? 'workflow' : d.type === 'bash' || d.type === 'script' ? 'exec' : d.approval_decision !== undefined ? 'gate' : undefined),
  approval_requested: () => 'gate',
  loop_iteration_started: () => 'loop',
  workflow_cancelled: () => 'halt',
};

/** Distinct nodes folded at most: the largest workflow, plus room for nodes only the events name. */
export const MAX_FOLDED_NODES = MAX_WORKFLOW_NODES + 1000;

type Data = Record<string, unknown>;

function dataOf(event: RunEvent): Data {
  return typeof event.data === 'object' && event.data !== null && !Array.isArray(event.data) ? (event.data as Data) : {};
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function span(from: string | null, to: string | null): number | null {
  if (!from || !to) return null;
  const ms = Date.parse(to) - Date.parse(from);
  // Event times are whole seconds: two in the same second measure nothing.
  return Number.isNaN(ms) || ms <= 0 ? null : ms;
}

function tokensOf(value: unknown): TokenCounts | null {
  if (typeof value !== 'object' || value === null) return null;
  const t = value as Data;
  const input = num(t.input);
  const output = num(t.output);
  if (input === null || output === null) return null;
  const counts: TokenCounts = { input, output };
  if (num(t.cacheRead) !== null) counts.cacheRead = num(t.cacheRead)!;
  if (num(t.cacheWrite) !== null) counts.cacheWrite = num(t.cacheWrite)!;
  return counts;
}

/** Written by the person's approve/reject/respond, or by the resume's claim: not part of a pass's own span. */
function outsidePass(event: RunEvent, data: Data): boolean {
  return event.type === 'approval_received' || event.type === 'workflow_resumed' || (event.type === 'node_completed' && data.approval_decision !== undefined);
}

/**
 * The state of every node a run's events name, folded one event at a time in Archon's order
 * (`created_at`, `event_order`), keeping per node only what is shown (its output cut to
 * `OUTPUT_HEAD`), so memory does not grow with the number of events. The rules are Archon's
 * (packages/workflows/src/dag-executor.ts, core/src/operations/workflow-operations.ts):
 * - a resume is a new pass: what had not completed waits to run again (`pending`); what had
 *   completed stays completed, with the earlier pass's duration and output, through the
 *   `node_skipped_prior_success` the resume writes for it;
 * - a gate writes no `node_started`: `approval_requested` makes it `waiting`, and approve or
 *   respond writes its `node_completed` (with the decision) before `approval_received`; a
 *   rejection that cancels the run writes only `approval_received`;
 * - a `cancel:` node writes only `workflow_cancelled`, with its id as the step;
 * - loop iterations carry `duration` (not `duration_ms`).
 * What the run's status adds (a pending node of a finished run never ran) is `runNodes`' part.
 */
export class NodeFold {
  /** By node id (the events' `step_name`), in the order first named. */
  readonly nodes = new Map<string, NodeState>();
  readonly passes: Pass[] = [];
  /** Events naming nodes beyond `MAX_FOLDED_NODES`: counted, not kept. */
  unlistedEvents = 0;
  /** Gate nodes a rejection left without a completion (cancelled, unless the run goes on). */
  readonly rejected = new Set<string>();
  /** Each node's kind as its events show it, for nodes no workflow file names. */
  readonly kinds = new Map<string, NodeKind>();

  private get pass(): number {
    return Math.max(1, this.passes.length);
  }

  add(event: RunEvent): void {
    const data = dataOf(event);
    const at = event.createdAt;
    if (event.type === 'workflow_started') return this.startPass(at);
    const current = this.passes[this.passes.length - 1];
    if (current && at && current.durationMs === null && !outsidePass(event, data)) current.endedAt = at;
    this.hint(event, data);
    switch (event.type) {
      case 'workflow_completed':
        return this.endPass(at, num(data.duration_ms));
      case 'workflow_failed':
        return this.endPass(at, null);
      case 'workflow_cancelled':
        this.endPass(at, null);
        break;
    }
    const name = event.stepName?.trim();
    if (!name) return;
    const node = this.node(name);
    if (!node) return;
    const pass = this.pass;
    switch (event.type) {
      case 'node_started':
        Object.assign(node, { status: 'running', pass, startedAt: at, endedAt: null, durationMs: null, error: null, reason: null, expression: null });
        break;
      case 'node_completed':
        this.complete(node, data, at);
        break;
      case 'node_failed':
        Object.assign(node, { status: 'failed', pass, endedAt: at, error: str(data.error), durationMs: num(data.duration_ms) ?? span(node.startedAt, at) });
        this.usage(node, data);
        break;
      case 'node_skipped':
        Object.assign(node, { status: 'skipped', pass, endedAt: at, reason: str(data.reason), expression: str(data.expr) });
        break;
      case 'node_skipped_prior_success':
        // The earlier pass's completion stands; only a completion the events lost is taken from here.
        if (node.status !== 'completed') this.complete(node, data, at);
        break;
      case 'approval_requested':
        Object.assign(node, { status: 'waiting', pass, startedAt: node.status === 'running' ? node.startedAt : at, endedAt: null });
        break;
      case 'approval_received':
        this.decide(name, node, data, at);
        break;
      case 'workflow_cancelled':
        Object.assign(node, { status: 'cancelled', pass, endedAt: at, reason: str(data.reason) });
        break;
      case 'loop_iteration_started':
      case 'loop_iteration_completed':
      case 'loop_iteration_failed':
        this.iteration(node, event.type, data, at);
        break;
      case 'tool_called':
        node.toolCalls++;
        break;
    }
  }

  /** What kind of node an event shows, when the node has no kind yet (see `KIND_HINTS`). */
  private hint(event: RunEvent, data: Data): void {
    const name = event.stepName?.trim();
    const kind = name && !this.kinds.has(name) ? KIND_HINTS[event.type]?.(data) : undefined;
    if (kind && this.kinds.size < MAX_FOLDED_NODES) this.kinds.set(name!, kind);
  }

  private node(name: string): NodeState | undefined {
    let node = this.nodes.get(name);
    if (!node) {
      if (this.nodes.size >= MAX_FOLDED_NODES) {
        this.unlistedEvents++;
        return undefined;
      }
      node = pendingState();
      this.nodes.set(name, node);
    }
    return node;
  }

  private startPass(at: string | null): void {
    this.passes.push({ number: this.passes.length + 1, startedAt: at, endedAt: at, durationMs: null });
    if (this.passes.length === 1) return;
    // A resume runs again whatever had not completed.
    for (const [name, node] of this.nodes) {
      if (node.status === 'completed') continue;
      Object.assign(node, { ...pendingState(), iterations: node.iterations, toolCalls: node.toolCalls });
      this.rejected.delete(name);
    }
  }

  private endPass(at: string | null, durationMs: number | null): void {
    const current = this.passes[this.passes.length - 1];
    if (!current) return;
    current.endedAt = at ?? current.endedAt;
    current.durationMs = durationMs ?? span(current.startedAt, current.endedAt);
  }

  private complete(node: NodeState, data: Data, at: string | null): void {
    const output = typeof data.node_output === 'string' ? data.node_output : null;
    Object.assign(node, {
      status: 'completed',
      pass: this.pass,
      endedAt: at,
      durationMs: num(data.duration_ms) ?? span(node.startedAt, at),
      output: output === null ? null : output.slice(0, OUTPUT_HEAD),
      outputTruncated: data.node_output_truncated === true || (output?.length ?? 0) > OUTPUT_HEAD,
      outputFile: str(data.node_output_spill_path),
      error: null,
      reason: null,
      expression: null,
      decision: str(data.approval_decision) ?? node.decision,
      childRunId: str(data.child_run_id) ?? node.childRunId,
    });
    this.usage(node, data);
  }

  private usage(node: NodeState, data: Data): void {
    node.tokens = tokensOf(data.tokens) ?? node.tokens;
    node.costUsd = num(data.cost_usd) ?? node.costUsd;
  }

  /** A person's answer to a gate: approve and respond completed it already; a rejection ends it. */
  private decide(name: string, node: NodeState, data: Data, at: string | null): void {
    node.decision = str(data.decision) ?? node.decision;
    node.comment = str(data.comment) ?? str(data.reason);
    if (node.status !== 'waiting') return;
    node.endedAt = at;
    node.durationMs = span(node.startedAt, at);
    if (node.decision === 'rejected') {
      node.status = 'cancelled';
      node.reason = 'rejected';
      this.rejected.add(name);
    } else {
      // An interactive loop's answer: the loop goes on when the run is resumed.
      node.status = 'pending';
    }
  }

  private iteration(node: NodeState, type: string, data: Data, at: string | null): void {
    const number = num(data.iteration);
    if (number === null) return;
    if (type === 'loop_iteration_started') {
      // A loop_group writes no node_started: its first iteration starts it.
      if (node.status !== 'running') Object.assign(node, { status: 'running', pass: this.pass, startedAt: at, endedAt: null });
      if (node.iterations.length >= MAX_ITERATIONS) node.iterations.shift();
      node.iterations.push({ iteration: number, status: 'running', durationMs: null, error: null });
      return;
    }
    let entry = node.iterations[node.iterations.length - 1];
    if (entry?.iteration !== number) {
      entry = { iteration: number, status: 'running', durationMs: null, error: null };
      node.iterations.push(entry);
    }
    entry.status = type === 'loop_iteration_completed' ? 'completed' : 'failed';
    entry.durationMs = num(data.duration);
    entry.error = str(data.error);
  }
}
