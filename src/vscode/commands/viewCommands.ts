import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { STATUSES } from '../../core/model/runModel';
import { config } from '../configuration';
import type { Notifier } from '../notifier';
import type { RunStore } from '../runStore';
import { detailsUri } from '../runDetailsDocument';
import { RunNode } from '../treeViews/nodes';
import { plainText } from '../untrustedText';
import { chooseRun } from './pickRun';

export async function filterRuns(store: RunStore): Promise<void> {
  const current = new Set(store.filter.statuses);
  const picked = await vscode.window.showQuickPick(
    [...STATUSES, 'other'].map((status) => ({ label: status, picked: current.has(status) })),
    { canPickMany: true, placeHolder: vscode.l10n.t('Show which statuses? (none = all)') },
  );
  if (!picked) return;
  const text = await vscode.window.showInputBox({
    prompt: vscode.l10n.t('Only runs whose workflow name or message contains this text, or whose id starts with it (empty = any)'),
    value: store.filter.text,
  });
  if (text === undefined) return;
  store.filter = { statuses: picked.map((p) => p.label), text: text.trim() };
  await store.refresh(true);
}

export async function toggleScope(store: RunStore, notifier: Notifier): Promise<void> {
  store.scope = store.scope === 'workspace' ? 'all' : 'workspace';
  if (store.scope === 'workspace' && !store.folders) void notifier.show('info', vscode.l10n.t('No folder is open, so all runs are shown.'));
  await store.refresh(true);
}

export async function selectDatabase(store: RunStore): Promise<void> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel: vscode.l10n.t('Use Database'),
    title: vscode.l10n.t('Select the Archon database (archon.db)'),
    filters: { [vscode.l10n.t('SQLite databases')]: ['db', 'sqlite', 'sqlite3'], [vscode.l10n.t('All files')]: ['*'] },
  });
  if (!picked?.[0]) return;
  await config.setDatabasePath(picked[0].fsPath);
  await store.refresh(true);
}

export async function showDetails(store: RunStore, notifier: Notifier, arg?: unknown): Promise<void> {
  const run = await chooseRun(store, notifier, arg, {}, vscode.l10n.t('Show which run?'));
  if (!run) return;
  const doc = await vscode.workspace.openTextDocument(detailsUri(run));
  await vscode.window.showTextDocument(doc, { preview: true });
}

export async function copyId(arg?: unknown): Promise<void> {
  if (!(arg instanceof RunNode)) return;
  await vscode.env.clipboard.writeText(arg.run.id);
  vscode.window.setStatusBarMessage(vscode.l10n.t('Copied run ID {0}', plainText(arg.run.id)), 3000);
}

export async function openWorkingFolder(notifier: Notifier, arg?: unknown): Promise<void> {
  if (!(arg instanceof RunNode) || !arg.run.workingPath) return;
  const folder = arg.run.workingPath;
  if (!fs.existsSync(folder)) {
    void notifier.show('warning', vscode.l10n.t('The working folder {0} no longer exists (its worktree was probably removed).', folder));
    return;
  }
  await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(folder), { forceNewWindow: true });
}
