import * as vscode from 'vscode';
import type { Notifier } from './notifier';

/**
 * Every command that writes to a database or starts a program asks here first. In Restricted Mode
 * it is refused, with one message for all of them: nothing a workspace or a database could steer
 * (a database path, a working folder, a workflow name) may lead to a write or a process there.
 */
export function allowedInThisWorkspace(notifier: Notifier): boolean {
  if (vscode.workspace.isTrusted) return true;
  const manage = vscode.l10n.t('Manage Workspace Trust');
  void notifier
    .show('warning', vscode.l10n.t('Workflow Runs writes nothing and starts no program in Restricted Mode. Trust this workspace to use this command.'), manage)
    .then((choice) => choice === manage && vscode.commands.executeCommand('workbench.trust.manage'));
  return false;
}
