import { toIsoUtc } from './dates';
import { approvalGate, isObject, metadataError, parseJson, type RunDetails, type RunEvent, type RunSummary, SUMMARY_TEXT_MAX, type WholeNumber } from './runModel';

/**
 * A run's row as either engine returns it, named as the queries name the columns: text, numbers,
 * SQLite's 0/1 flags or PostgreSQL's booleans, SQLite's date text or PostgreSQL's `Date`, JSON text
 * or parsed JSONB. Every engine turns rows into the model here, so the model reads the same.
 */
export type Row = Record<string, unknown>;

const utf8 = new TextDecoder();

/** A column as text. SQLite may hold any value in any column: a blob is read as its UTF-8 text, as `sqlite3` shows it. */
function str(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return value instanceof Uint8Array ? utf8.decode(value) : String(value);
}

/** An integer column: a number, or its decimal text where a number would lose digits (past 2^53). */
function num(value: unknown): WholeNumber | null {
  if (typeof value === 'number') return value;
  // PostgreSQL's BIGINT arrives as text, and so does a SQLite integer too large for a number.
  if (typeof value !== 'string' || !/^-?\d+$/.test(value)) return null;
  return Number.isSafeInteger(Number(value)) ? Number(value) : value;
}

/** SQLite's 0/1 or PostgreSQL's boolean. */
export function flag(value: unknown): boolean {
  return value === 1 || value === true;
}

/** A text a list read: SQL gives one character more than `SUMMARY_TEXT_MAX`, so a longer one is known, and cut with `…`. */
function cut(text: string | null): string | null {
  return text !== null && text.length > SUMMARY_TEXT_MAX ? `${text.slice(0, SUMMARY_TEXT_MAX - 1)}…` : text;
}

/** A list's row (see `RunSql.selectSummary`): no metadata in it, its error and gate read in SQL. */
export function runFromRow(row: Row): RunSummary {
  return summaryOf(row, cut);
}

function summaryOf(row: Row, text: (value: string | null) => string | null): RunSummary {
  return {
    id: str(row.id) ?? '',
    workflowName: str(row.workflow_name) ?? '(unnamed workflow)',
    status: str(row.status) ?? 'unknown',
    resumable: flag(row.resumable),
    interrupted: flag(row.interrupted),
    cancellable: flag(row.cancellable),
    openGate: flag(row.open_gate),
    outcome: str(row.outcome),
    startedAt: toIsoUtc(row.started_at),
    lastActivityAt: toIsoUtc(row.last_activity_at),
    completedAt: toIsoUtc(row.completed_at),
    workingPath: str(row.working_path),
    outputRoot: str(row.output_root),
    codebaseId: str(row.codebase_id),
    codebaseName: str(row.codebase_name),
    projectPath: str(row.project_path),
    conversationId: str(row.conversation_id),
    platform: str(row.platform),
    parentRunId: str(row.parent_run_id),
    userMessage: text(str(row.user_message)),
    currentStepIndex: num(row.current_step_index),
    ...gateAndError(row, text),
  };
}

/**
 * The error and a paused run's gate, as read in SQL; or, from metadata SQL could not read (see
 * `DialectParts.unreadJson`), as JavaScript reads it (its depth capped), the same fields.
 */
function gateAndError(row: Row, text: (value: string | null) => string | null): Pick<RunSummary, 'error' | 'approval'> {
  if (typeof row.metadata_unread !== 'string') return { error: text(str(row.error) || null), approval: approvalGate(parseJson(row.approval).value, text(str(row.gate_message))) };
  const metadata = parseJson(row.metadata_unread).value;
  const approval = row.status === 'paused' && isObject(metadata) ? metadata.approval : undefined;
  const message = isObject(approval) && typeof approval.message === 'string' ? approval.message : null;
  return { error: text(metadataError(metadata)), approval: approvalGate(approval, text(message)) };
}

/** One run's row (see `RunSql.selectDetails`): texts whole, and the whole metadata. */
export function detailsFromRow(row: Row): RunDetails {
  const metadata = parseJson(row.metadata);
  return {
    ...summaryOf(row, (value) => value),
    metadata: metadata.value,
    metadataValid: metadata.valid,
    userId: str(row.user_id),
    parentConversationId: str(row.parent_conversation_id),
  };
}

export function eventFromRow(row: Row): RunEvent {
  return {
    id: str(row.id) ?? '',
    order: num(row.event_order),
    type: str(row.event_type) ?? 'unknown',
    stepIndex: num(row.step_index),
    stepName: str(row.step_name),
    data: parseJson(row.data).value,
    createdAt: toIsoUtc(row.created_at),
  };
}
