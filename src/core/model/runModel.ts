import { capDepth, cutTooDeep } from './jsonDepth';

/** An integer from the database: its decimal text when it is too large for a number to keep every digit. */
export type WholeNumber = number | string;

/** Archon's run statuses. Rows may hold others; those are shown as they are. */
export const STATUSES = ['running', 'paused', 'failed', 'pending', 'completed', 'cancelled'] as const;

/** The gate a paused run stops at (Archon's `ApprovalContext` in `metadata.approval`). */
export interface ApprovalGate {
  /** `approval`, `interactive_loop`, `writeback` or `child_workflow`; null on gates older than the field. */
  type: string | null;
  /** The workflow node that paused (`__writeback__` for the write-back gate). */
  nodeId: string | null;
  /** The question for the person. */
  message: string | null;
  /** For `child_workflow`: the paused child run that holds the real gate. */
  childRunId: string | null;
  /** For `interactive_loop`: the loop iteration it paused at. */
  iteration: number | null;
  /** The decisions the gate declared (answered with Respond), when its author declared them. */
  decisions: { id: string; label: string | null }[];
}

/**
 * The most of a run's long texts (its message, its error, its gate's question) a list reads: more
 * than any list shows. A longer text is cut there and ends in `…`; `RunDetails` has it whole.
 */
export const SUMMARY_TEXT_MAX = 2000;

/**
 * A run as lists show it (the tree, the status watch, `list`): its columns, and from its metadata
 * only the error and the gate, read in SQL with long texts cut (`SUMMARY_TEXT_MAX`). The whole
 * metadata is only in `RunDetails`, read for one run at a time.
 */
export interface RunSummary {
  id: string;
  workflowName: string;
  status: string;
  /** Resume may claim it: the same predicate as the compare-and-swap. */
  resumable: boolean;
  /** A `running` row whose executor stopped heartbeating (never stored; a display label). */
  interrupted: boolean;
  /** Cancel would change it. */
  cancellable: boolean;
  /** Paused at a gate that waits on a person (see `openGatePredicate`). */
  openGate: boolean;
  outcome: string | null;
  startedAt: string | null;
  lastActivityAt: string | null;
  completedAt: string | null;
  workingPath: string | null;
  outputRoot: string | null;
  codebaseId: string | null;
  codebaseName: string | null;
  /** The project's folder on disk (its codebase's `default_cwd`). */
  projectPath: string | null;
  conversationId: string | null;
  platform: string | null;
  parentRunId: string | null;
  userMessage: string | null;
  currentStepIndex: WholeNumber | null;
  /** `metadata.error` when it is a string. */
  error: string | null;
  /** The gate a paused run waits at (`metadata.approval`); null for a run that is not paused. */
  approval: ApprovalGate | null;
}

/** One run with what happened in it and the runs it started: what `show` and the details document give. */
export interface RunHistory {
  run: RunDetails;
  /** Its newest events (as many as asked for), oldest first. */
  events: RunEvent[];
  /** How many events it has in all. */
  eventCount: number;
  children: RunSummary[];
}

/** A run's newest events, oldest first, and how many it has in all. */
export interface EventPage {
  events: RunEvent[];
  total: number;
}

/** A run's newest `newest` events, or all of them. */
export interface EventsRequest {
  runId: string;
  newest: number | 'all';
}

/** One run, with its newest `events` events, or all of them. */
export interface HistoryRequest {
  id: string;
  events: number | 'all';
}

/** A history for a document that shows it: `digest` names the one it shows, which is not sent again unchanged. */
export interface DetailsRequest {
  id: string;
  events: number;
  digest?: string;
}

/** The history read, and its digest; without the history when it has the digest asked with. */
export interface DetailsAnswer {
  digest: string;
  history?: RunHistory;
}

export interface RunEvent {
  id: string;
  order: WholeNumber | null;
  type: string;
  stepIndex: WholeNumber | null;
  stepName: string | null;
  /** Parsed `data`, or the raw text when it is not valid JSON. */
  data: unknown;
  createdAt: string | null;
}

/** One run, whole: long texts uncut, and its metadata. */
export interface RunDetails extends RunSummary {
  /** Parsed `metadata`, or the raw text when it is not valid JSON. */
  metadata: unknown;
  metadataValid: boolean;
  userId: string | null;
  parentConversationId: string | null;
}

export interface RunFilter {
  /** Only these statuses (`interrupted` selects stale running orphans). */
  statuses?: string[];
  /** Case-insensitive match on workflow name or user message, or an id prefix. */
  text?: string;
  /** Only runs Resume may claim (the compare-and-swap's own predicate). */
  resumable?: boolean;
  /** Only runs Cancel would change (the cancel guard's own predicate). */
  cancellable?: boolean;
  /** Only runs paused at a gate that waits on a person. */
  openGate?: boolean;
  /** Only runs whose codebase folder or working path is inside one of these folders. */
  folders?: string[];
  limit?: number;
  offset?: number;
}

export type StatusCounts = Record<string, number>;

/**
 * Parses JSON text without throwing: malformed text is reported, not fatal. JSONB arrives parsed.
 * Whatever is nested deeper than `MAX_JSON_DEPTH` is cut (see jsonDepth.ts), so that no value from
 * the database can stop a reply from reaching another thread.
 */
export function parseJson(text: unknown): { value: unknown; valid: boolean } {
  if (text === null || text === undefined) return { value: null, valid: true };
  if (typeof text === 'object') return { value: capDepth(text), valid: true };
  if (typeof text !== 'string') return { value: text, valid: false };
  const cut = cutTooDeep(text);
  if (cut === undefined) return { value: text, valid: false };
  try {
    return { value: JSON.parse(cut), valid: true };
  } catch {
    return { value: text, valid: false };
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

export function metadataError(metadata: unknown): string | null {
  return isObject(metadata) ? stringOrNull(metadata.error) : null;
}

const KNOWN_GATES = ['approval', 'interactive_loop', 'writeback', 'child_workflow'];

/** The gate of a paused run from `metadata.approval` without its question (JSON, as read in SQL), and the question. */
export function approvalGate(approval: unknown, message: string | null): ApprovalGate | null {
  if (!isObject(approval)) return null;
  const a = approval;
  const decisions = a.decisionsAuthored === true && Array.isArray(a.decisions) ? a.decisions : [];
  return {
    type: stringOrNull(a.type),
    nodeId: stringOrNull(a.nodeId),
    message: stringOrNull(message),
    childRunId: stringOrNull(a.childRunId),
    iteration: typeof a.iteration === 'number' ? a.iteration : null,
    decisions: decisions.filter(isObject).flatMap((d) => (typeof d.id === 'string' && d.id ? [{ id: d.id, label: stringOrNull(d.label) }] : [])),
  };
}

/**
 * What Archon's CLI can do with a run's open gate: approve or reject it (an approval, interactive
 * loop or write-back gate with its node and question, as Archon requires), and respond to it (an
 * interactive loop takes free text; a gate with declared decisions takes one of them).
 */
export function gateActions(run: Pick<RunSummary, 'openGate' | 'approval'>): { decide: boolean; respond: boolean } {
  const gate = run.approval;
  const decide = run.openGate && !!gate?.nodeId && gate.message !== null && (gate.type === null || KNOWN_GATES.includes(gate.type));
  return { decide, respond: decide && (gate!.type === 'interactive_loop' || gate!.decisions.length > 0) };
}

/** Shortest id prefix accepted in place of a full run id. */
export const MIN_ID_PREFIX = 8;

export type IdResolution = { kind: 'found'; id: string } | { kind: 'not-found' } | { kind: 'ambiguous'; matches: string[] } | { kind: 'too-short' };
