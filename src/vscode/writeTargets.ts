import * as vscode from 'vscode';
import { databasePathChosenByWorkspace } from './configuration';
import type { Notifier } from './notifier';

const CONFIRMED = 'workflowRuns.confirmedWriteTargets';

/**
 * A workspace may choose which database the tree browses (`workflowRuns.databasePath` in its
 * settings), but Resume and Cancel write only to a database the user chose outside the workspace,
 * or confirmed once on this machine (remembered by real path in the global state).
 */
export class WriteTargets {
  constructor(private readonly memento: vscode.Memento) {}

  async allowed(dbPath: string, notifier: Notifier): Promise<boolean> {
    if (!databasePathChosenByWorkspace()) return true;
    const confirmed = this.memento.get<string[]>(CONFIRMED, []);
    if (confirmed.includes(dbPath)) return true;
    const allow = await notifier.confirm(
      vscode.l10n.t('Allow Workflow Runs to write to {0}?', dbPath),
      vscode.l10n.t(
        "This workspace's settings chose this database (workflowRuns.databasePath). Resume and Cancel change runs in it: allow it only if it is the Archon database you use. You are asked once for each database.",
      ),
      vscode.l10n.t('Allow Writes'),
    );
    if (allow) await this.memento.update(CONFIRMED, [...confirmed, dbPath]);
    return allow;
  }
}
