import type { RunDetails } from '../model/runModel';
import { rebasePath } from '../workflows/pathRebase';
import type { NodeKind } from '../workflows/workflowDefinition';
import type { NodeFold, Pass } from './nodeFold';
import { type NodeState, pendingState } from './nodeState';
import type { GraphNode, WorkflowGraph } from './workflowGraph';

/** Where a run's graph came from: its frozen workflow, the workflow file as it is now, or only its events. */
export type GraphSource = 'frozen' | 'workspace' | 'events';

export interface SourcedGraph {
  source: GraphSource;
  /** Why the source is not the frozen copy (and what that means), else null. */
  detail: string | null;
  /** The workflow file the graph was read from. */
  file: string | null;
  /** null for `events`: the nodes are the ones the events name. */
  graph: WorkflowGraph | null;
}

/** A child run, and the node of this run that started it (`metadata.parent_node_id`). */
export interface ChildRunRef {
  id: string;
  status: string;
  parentNodeId: string | null;
}

/** The run's totals as Archon records them in its metadata (absent ones null). */
export interface RunTotals {
  costUsd: number | null;
  tokensIn: number | null;
  tokensOut: number | null;
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
  /** `metadata.node_counts`, written when the run completes. */
  nodeCounts: Record<string, number> | null;
}

/** `graph` in `workflow-runs show --json`. */
export interface RunGraphInfo {
  source: GraphSource;
  detail: string | null;
  file: string | null;
  /** What does not add up: edges to missing nodes, cycles, includes left out, nodes only the events name. */
  problems: string[];
  passes: Pass[];
  /** The passes' durations added up (Archon's own elapsed time covers only the last pass). */
  elapsedMs: number | null;
  totals: RunTotals;
}

/** One entry of `nodes` in `workflow-runs show --json`. */
export interface NodeView extends NodeState {
  id: string;
  kind: NodeKind | null;
  dependsOn: string[];
  group: string | null;
  /** Named by the run's events but not in its graph: kept, and said. */
  unknown: boolean;
}

export interface RunGraph {
  graph: RunGraphInfo;
  nodes: NodeView[];
}

const ACTIVE = new Set(['running', 'paused', 'pending']);

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function totalsOf(metadata: unknown): RunTotals {
  const m = typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>) : {};
  const counts = typeof m.node_counts === 'object' && m.node_counts !== null && !Array.isArray(m.node_counts) ? (m.node_counts as Record<string, unknown>) : null;
  return {
    costUsd: num(m.total_cost_usd),
    tokensIn: num(m.total_tokens_in),
    tokensOut: num(m.total_tokens_out),
    cacheReadTokens: num(m.total_cache_read_tokens),
    cacheWriteTokens: num(m.total_cache_write_tokens),
    nodeCounts: counts && Object.fromEntries(Object.entries(counts).filter(([, v]) => num(v) !== null)) as Record<string, number>,
  };
}

/** The nodes the events name, without edges; a `<group>.<id>` whose group is one of them is part of that group's body. */
function eventsGraph(fold: NodeFold): GraphNode[] {
  const ids = [...fold.nodes.keys()];
  const known = new Set(ids);
  return ids.map((id) => {
    const dot = id.lastIndexOf('.');
    const group = dot > 0 && known.has(id.slice(0, dot)) ? id.slice(0, dot) : null;
    return { id, kind: fold.kinds.get(id) ?? null, dependsOn: [], group };
  });
}

/** What the run's own state says of a node the events left open. */
function settle(state: NodeState, run: RunDetails, rejected: boolean): void {
  const active = ACTIVE.has(run.status);
  if (active) {
    // A rejection with a rework prompt keeps the run paused: the gate asks again on resume.
    if (rejected) Object.assign(state, { status: 'pending', reason: null });
    return;
  }
  if (state.status === 'pending') state.status = 'not-run';
  else if (state.status === 'running' || state.status === 'waiting') {
    // The run ended without this node ending: cancelled (`archon workflow abandon` writes no event) or failed.
    if (run.status === 'failed') Object.assign(state, { status: 'failed', error: run.error });
    else if (run.status === 'cancelled') Object.assign(state, { status: 'cancelled', reason: 'run_cancelled' });
  }
}

/** A `workflow:` node's child run: the one the run waits on at its gate, or one started by that node. */
function child(state: NodeState, id: string, run: RunDetails, children: ChildRunRef[]): void {
  const gate = run.approval;
  if (run.status === 'paused' && gate?.type === 'child_workflow' && gate.nodeId === id && state.status !== 'completed') {
    Object.assign(state, { status: 'waiting', childRunId: gate.childRunId ?? state.childRunId });
  }
  if (state.childRunId) return;
  const started = children.filter((c) => c.parentNodeId === id);
  const latest = started[started.length - 1];
  if (!latest) return;
  state.childRunId = latest.id;
  if (state.status === 'pending' && (latest.status === 'running' || latest.status === 'paused')) state.status = latest.status === 'running' ? 'running' : 'waiting';
}

function view(node: GraphNode, state: NodeState, unknown: boolean, home: string | null): NodeView {
  const outputFile = state.outputFile && rebasePath(state.outputFile, home);
  return {
    id: node.id,
    kind: node.kind,
    dependsOn: node.dependsOn,
    group: node.group,
    unknown,
    status: state.status,
    pass: state.pass,
    startedAt: state.startedAt,
    endedAt: state.endedAt,
    durationMs: state.durationMs,
    output: state.output,
    outputTruncated: state.outputTruncated,
    outputFile: outputFile ? outputFile.path : null,
    error: state.error,
    reason: state.reason,
    expression: state.expression,
    decision: state.decision,
    comment: state.comment,
    childRunId: state.childRunId,
    iterations: state.iterations,
    toolCalls: state.toolCalls,
    tokens: state.tokens,
    costUsd: state.costUsd,
  };
}

/**
 * A run's nodes: the graph's, in its topological order, each with the state its events folded to
 * and what the run's own state adds (a pending node of a finished run never ran; a node left
 * running when the run failed or was cancelled shares its end; a `workflow:` node's child run);
 * then the nodes only the events name, flagged `unknown`.
 */
export function runNodes(run: RunDetails, fold: NodeFold, children: ChildRunRef[], sourced: SourcedGraph, home: string | null): RunGraph {
  const graphNodes = sourced.graph?.nodes ?? eventsGraph(fold);
  const inGraph = new Set(graphNodes.map((n) => n.id));
  const extra: GraphNode[] = [];
  for (const id of fold.nodes.keys()) if (!inGraph.has(id)) extra.push({ id, kind: fold.kinds.get(id) ?? null, dependsOn: [], group: null });
  const problems = [...(sourced.graph?.problems ?? [])];
  if (extra.length) {
    const names = extra.slice(0, 10).map((n) => `'${n.id}'`).join(', ');
    problems.push(`${extra.length} node(s) named by the run's events are not in its workflow: ${names}${extra.length > 10 ? ', …' : ''}.`);
  }
  if (fold.unlistedEvents) problems.push(`${fold.unlistedEvents} event(s) name further nodes, beyond the ${fold.nodes.size} listed.`);
  const nodes = [...graphNodes.map((n) => [n, false] as const), ...extra.map((n) => [n, true] as const)].map(([node, unknown]) => {
    const state = { ...(fold.nodes.get(node.id) ?? pendingState()) };
    child(state, node.id, run, children);
    settle(state, run, fold.rejected.has(node.id));
    return view(node, state, unknown, home);
  });
  const durations = fold.passes.map((p) => p.durationMs ?? (p.startedAt && p.endedAt ? Date.parse(p.endedAt) - Date.parse(p.startedAt) : null));
  return {
    graph: {
      source: sourced.source,
      detail: sourced.detail,
      file: sourced.file,
      problems,
      passes: fold.passes,
      elapsedMs: durations.length && durations.every((d) => d !== null && !Number.isNaN(d)) ? durations.reduce((a, b) => a! + b!, 0) : null,
      totals: totalsOf(run.metadata),
    },
    nodes,
  };
}
