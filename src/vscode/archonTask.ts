import * as vscode from 'vscode';
import { findExecutable, runsThroughCmd } from '../core/archon/findExecutable';
import { config } from './configuration';
import { log } from './log';
import type { Notifier } from './notifier';

export const TASK_TYPE = 'workflowRuns';

export interface ArchonCall {
  /** What the task is called in the terminal's title, e.g. "Approve archon-plan (7439b164)". */
  title: string;
  /** Arguments after the executable (see `archonArgs.ts`). */
  args: string[];
  /** The folder Archon runs in. */
  cwd: string;
}

/**
 * Runs Archon's own CLI as a task: a process started with an argument array (`ProcessExecution`),
 * never a command line for a shell, in a terminal the person can watch. Resolves once the task has
 * started, with its exit code to come (a resumed run can take hours), or undefined when there is
 * no Archon to start.
 */
export async function runArchon(call: ArchonCall, notifier: Notifier): Promise<{ exit: Promise<number | undefined> } | undefined> {
  const configured = config.archonPath();
  const executable = findExecutable(configured);
  if (!executable) {
    const settings = vscode.l10n.t('Open Settings');
    void notifier
      .show(
        'error',
        vscode.l10n.t(
          'Archon\'s CLI was not found ("{0}"). Install Archon (its "archon" command), or set "workflowRuns.archonPath" to where it is.',
          configured,
        ),
        settings,
      )
      .then((choice) => choice === settings && vscode.commands.executeCommand('workbench.action.openSettings', 'workflowRuns.archonPath'));
    return undefined;
  }
  if (runsThroughCmd(executable)) {
    void notifier.show(
      'error',
      vscode.l10n.t(
        'Archon\'s CLI was found as "{0}", a batch file that Windows runs through cmd.exe, where a run\'s text could become commands. Set "workflowRuns.archonPath" to Archon\'s executable (archon.exe).',
        executable,
      ),
    );
    return undefined;
  }
  const task = new vscode.Task(
    { type: TASK_TYPE, args: call.args },
    vscode.workspace.workspaceFolders?.[0] ?? vscode.TaskScope.Workspace,
    call.title,
    'Workflow Runs',
    new vscode.ProcessExecution(executable, call.args, { cwd: call.cwd }),
  );
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.New, clear: true };
  log.info(`starting ${executable} ${JSON.stringify(call.args)} in ${call.cwd}`);
  let execution: vscode.TaskExecution | undefined;
  const exit = new Promise<number | undefined>((resolve) => {
    const ended = vscode.tasks.onDidEndTaskProcess((e) => {
      if (e.execution !== execution) return;
      ended.dispose();
      log.info(`${call.title}: archon exited with code ${e.exitCode ?? 'unknown'}`);
      resolve(e.exitCode);
    });
  });
  execution = await vscode.tasks.executeTask(task);
  return { exit };
}
