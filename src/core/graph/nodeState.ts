/**
 * What one node of a run did, as folded from the run's events (see `NodeFold`). These are the
 * fields of `nodes[]` in `workflow-runs show --json`, beside the node's place in the graph.
 */
export type NodeStatus = 'pending' | 'not-run' | 'running' | 'waiting' | 'completed' | 'failed' | 'skipped' | 'cancelled';

export interface LoopIteration {
  iteration: number;
  status: 'running' | 'completed' | 'failed';
  /** Archon's own measure (`data.duration`), null while it runs. */
  durationMs: number | null;
  error: string | null;
}

/** A node's token counts as Archon records them (`data.tokens`). */
export interface TokenCounts {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

export interface NodeState {
  status: NodeStatus;
  /** The pass (1 = the first `workflow_started`, 2 = the first resume, …) that recorded this state. */
  pass: number | null;
  startedAt: string | null;
  endedAt: string | null;
  /** Archon's `duration_ms` when it wrote one, else the time between start and end events (1 s resolution on SQLite). */
  durationMs: number | null;
  /** The head of the output (at most `OUTPUT_HEAD` characters). */
  output: string | null;
  /** More output exists: cut here, or by Archon (the rest is in `outputFile`). */
  outputTruncated: boolean;
  /** The file Archon spilled the whole output to, as recorded (the run's reader moves it onto this machine). */
  outputFile: string | null;
  error: string | null;
  /** Why it was skipped (`when_condition`, `trigger_rule`, …) or cancelled (a `cancel:` node's reason). */
  reason: string | null;
  /** The `when:` expression that skipped it. */
  expression: string | null;
  /** A gate's decision (`approved`, `rejected` or a declared decision id). */
  decision: string | null;
  /** The comment or reason given with the decision. */
  comment: string | null;
  /** The run a `workflow:` node started. */
  childRunId: string | null;
  iterations: LoopIteration[];
  toolCalls: number;
  tokens: TokenCounts | null;
  costUsd: number | null;
}

/** Characters of a node's output kept: the whole is in its events, and in Archon's spill file past 32 KiB. */
export const OUTPUT_HEAD = 4000;

/** Loop iterations kept per node (the latest). */
export const MAX_ITERATIONS = 1000;

export function pendingState(): NodeState {
  return {
    status: 'pending',
    pass: null,
    startedAt: null,
    endedAt: null,
    durationMs: null,
    output: null,
    outputTruncated: false,
    outputFile: null,
    error: null,
    reason: null,
    expression: null,
    decision: null,
    comment: null,
    childRunId: null,
    iterations: [],
    toolCalls: 0,
    tokens: null,
    costUsd: null,
  };
}
