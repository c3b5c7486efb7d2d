import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { archonResumeCommand } from '../../core/archonCli';
import { shortId } from '../format';
import type { Notifier } from '../notifier';
import type { RunStore } from '../runStore';
import { chooseRun } from './pickRun';

/** Hands the run to Archon in a terminal: Archon's own resume claims the run and executes it. */
export async function resumeWithArchon(store: RunStore, notifier: Notifier, arg?: unknown): Promise<void> {
  const run = await chooseRun(store, notifier, arg, { resumable: true }, 'Resume which run with Archon?');
  if (!run) return;
  const cwd = run.workingPath && fs.existsSync(run.workingPath) ? run.workingPath : undefined;
  if (run.interrupted && !cwd) {
    void notifier.show('warning', `Archon resumes an interrupted run from its working folder, and ${run.workingPath ?? 'it has none'} no longer exists.`);
    return;
  }
  const terminal = vscode.window.createTerminal({ name: `Archon: ${run.workflowName} (${shortId(run.id)})`, cwd });
  terminal.show();
  terminal.sendText(archonResumeCommand(run));
}
