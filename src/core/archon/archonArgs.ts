/**
 * Archon's own CLI, as argument arrays: run as a process with these arguments, never through a
 * shell, so no text from the database (ids, workflow names) or typed by the person (comments,
 * reasons) can be read as anything but one argument. `--` ends the options before the positional
 * arguments (Archon parses with `util.parseArgs`), so an id that starts with `-` stays an id.
 */

/**
 * Claims AND executes a resumable run. `archon workflow resume <id>` takes failed and paused runs;
 * an interrupted `running` orphan is picked up only by `archon workflow run <name> --resume`,
 * which finds it by name and working folder (so it must run in that folder).
 */
export function resumeArgs(run: { id: string; workflowName: string; interrupted: boolean }): string[] {
  return run.interrupted ? ['workflow', 'run', '--resume', '--', run.workflowName] : ['workflow', 'resume', '--', run.id];
}

/** Approves the gate a run is paused at; the comment, if any, is one argument. */
export function approveArgs(runId: string, comment?: string): string[] {
  return ['workflow', 'approve', '--', runId, ...(comment ? [comment] : [])];
}

/** Rejects the gate a run is paused at; the reason, if any, is one argument. */
export function rejectArgs(runId: string, reason?: string): string[] {
  return ['workflow', 'reject', '--', runId, ...(reason ? [reason] : [])];
}

/** Answers a gate with one of the decisions it declared. */
export function respondArgs(runId: string, decision: string, text?: string): string[] {
  return ['workflow', 'respond', '--', runId, decision, ...(text ? [text] : [])];
}
