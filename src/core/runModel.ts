/** Archon's run statuses. Rows may hold others; those are shown as they are. */
export const STATUSES = ['running', 'paused', 'failed', 'pending', 'completed', 'cancelled'] as const;

/** What the approval gate of a paused run asks (from `metadata.approval`). */
export interface ApprovalGate {
  type: string | null;
  message: string | null;
}

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
  currentStepIndex: number | null;
  /** `metadata.error` when it is a string. */
  error: string | null;
  approval: ApprovalGate | null;
}

/** One run with what happened in it and the runs it started: what `show` and the details document give. */
export interface RunHistory {
  run: RunDetails;
  events: RunEvent[];
  children: RunSummary[];
}

export interface RunEvent {
  id: string;
  order: number | null;
  type: string;
  stepIndex: number | null;
  stepName: string | null;
  /** Parsed `data`, or the raw text when it is not valid JSON. */
  data: unknown;
  createdAt: string | null;
}

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
  /** Only runs whose codebase folder or working path is inside one of these folders. */
  folders?: string[];
  limit?: number;
  offset?: number;
}

export type StatusCounts = Record<string, number>;

/** Parses JSON text without throwing: malformed text is reported, not fatal. */
export function parseJson(text: unknown): { value: unknown; valid: boolean } {
  if (text === null || text === undefined) return { value: null, valid: true };
  if (typeof text !== 'string') return { value: text, valid: false };
  try {
    return { value: JSON.parse(text), valid: true };
  } catch {
    return { value: text, valid: false };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

export function metadataError(metadata: unknown): string | null {
  return isObject(metadata) ? stringOrNull(metadata.error) : null;
}

export function metadataApproval(metadata: unknown): ApprovalGate | null {
  if (!isObject(metadata) || !isObject(metadata.approval)) return null;
  const a = metadata.approval;
  return {
    type: stringOrNull(a.type),
    message: stringOrNull(a.message),
  };
}
