/**
 * The Archon command that claims AND executes a resumable run. `archon workflow resume <id>` takes
 * failed and paused runs only; an interrupted `running` orphan is picked up solely by
 * `archon workflow run <name> --resume`, run from the orphan's working folder.
 */
export function archonResumeCommand(run: { id: string; workflowName: string; interrupted: boolean }): string {
  return run.interrupted ? `archon workflow run ${shellQuote(run.workflowName)} --resume` : `archon workflow resume ${shellQuote(run.id)}`;
}

/** POSIX shell quoting: plain words as they are, anything else in single quotes. */
export function shellQuote(text: string): string {
  return /^[\w.\-/]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
