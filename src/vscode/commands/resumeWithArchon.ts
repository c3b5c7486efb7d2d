import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { resumeArgs } from '../../core/archon/archonArgs';
import type { RunSummary } from '../../core/model/runModel';
import { runArchon } from '../archonTask';
import { runName } from '../format';
import type { Notifier } from '../notifier';
import type { RunStore } from '../runStore';
import { allowedInThisWorkspace } from '../trust';
import { chooseRun } from './pickRun';

const exists = (folder: string | null): folder is string => !!folder && fs.existsSync(folder);

/**
 * Where Archon runs for a run: its working folder, else its project's folder. An interrupted orphan
 * is found by Archon through its working folder, so only that will do for it.
 */
export function archonFolder(run: RunSummary, workingFolderOnly = false): string | undefined {
  if (exists(run.workingPath)) return run.workingPath;
  return !workingFolderOnly && exists(run.projectPath) ? run.projectPath : undefined;
}

/** Hands the run to Archon in a terminal: Archon's own resume claims the run and executes it. */
export async function resumeWithArchon(store: RunStore, notifier: Notifier, arg?: unknown): Promise<void> {
  if (!allowedInThisWorkspace(notifier)) return;
  const run = await chooseRun(store, notifier, arg, { resumable: true }, vscode.l10n.t('Resume which run with Archon?'));
  if (!run) return;
  const cwd = archonFolder(run, run.interrupted);
  if (!cwd) {
    void notifier.show(
      'warning',
      vscode.l10n.t('Archon resumes {0} from its working folder, and {1} no longer exists.', runName(run), run.workingPath ?? vscode.l10n.t('it has none')),
    );
    return;
  }
  const task = await runArchon({ title: vscode.l10n.t('Resume {0}', runName(run)), args: resumeArgs(run), cwd }, notifier);
  void task?.exit.then((code) => {
    if (code) void notifier.show('warning', vscode.l10n.t('Archon ended with exit code {0} while resuming {1}; its terminal shows why.', code, runName(run)));
  });
}
