/**
 * Errors the core reports to its callers. Each carries a short, specific message meant to be shown
 * to a person as is, and a `kind` that callers switch on.
 */
export type ProblemKind =
  | 'no-database'
  | 'not-a-database'
  | 'missing-tables'
  | 'postgres'
  | 'unstable'
  | 'no-writer'
  | 'busy'
  | 'write-failed'
  | 'uncertain'
  | 'unreachable'
  | 'auth'
  | 'unreadable'
  | 'usage';

export class WorkflowRunsError extends Error {
  constructor(
    readonly kind: ProblemKind,
    message: string,
  ) {
    super(message);
    this.name = 'WorkflowRunsError';
  }
}

export function isProblem(err: unknown, kind?: ProblemKind): err is WorkflowRunsError {
  return err instanceof WorkflowRunsError && (kind === undefined || err.kind === kind);
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
