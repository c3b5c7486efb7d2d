import * as vscode from 'vscode';
import { config } from './configuration';
import type { StatusWatcher } from './statusWatcher';
import { VIEW_ID } from './runsView';

/**
 * The runs in scope in the status bar: how many run, and how many wait at a gate for the person
 * (in the warning colour). Shown only when there is something to say; a setting hides it.
 */
export class StatusBar implements vscode.Disposable {
  readonly item = vscode.window.createStatusBarItem('workflowRuns.status', vscode.StatusBarAlignment.Left, 10);
  /** Whether the item is shown now. */
  shown = false;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly watcher: StatusWatcher) {
    this.item.name = vscode.l10n.t('Workflow Runs');
    this.item.command = { command: `${VIEW_ID}.focus`, title: vscode.l10n.t('Show Workflow Runs') };
    this.subscriptions = [watcher.onDidChange(() => this.update()), vscode.workspace.onDidChangeConfiguration((e) => config.affects(e, 'statusBar') && this.update())];
    this.update();
  }

  private update(): void {
    const summary = this.watcher.summary;
    this.shown = config.statusBar() && !!summary && summary.running + summary.awaiting > 0;
    if (!this.shown || !summary) {
      this.item.hide();
      return;
    }
    const parts: string[] = [];
    if (summary.running) parts.push(vscode.l10n.t('$(sync~spin) {0} running', summary.running));
    if (summary.awaiting) parts.push(vscode.l10n.t('$(bell-dot) {0} awaiting approval', summary.awaiting));
    this.item.text = parts.join('  ');
    this.item.tooltip = vscode.l10n.t('Workflow runs: {0} running, {1} awaiting approval. Click to show them.', summary.running, summary.awaiting);
    this.item.backgroundColor = summary.awaiting ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}
