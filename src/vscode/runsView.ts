import * as vscode from 'vscode';
import type { RunStore } from './runStore';
import type { StatusWatcher } from './statusWatcher';
import type { Node } from './treeViews/nodes';
import { RunsTreeProvider } from './treeViews/runsTreeProvider';

export const VIEW_ID = 'workflowRuns.runs';

/**
 * The tree view plus what frames it: context keys for menus and welcome views, message, title,
 * and the badge, which counts what waits on the person (gates, and failures not yet seen).
 */
export class RunsView implements vscode.Disposable {
  readonly provider: RunsTreeProvider;
  readonly treeView: vscode.TreeView<Node>;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly store: RunStore,
    private readonly watcher: StatusWatcher,
  ) {
    this.provider = new RunsTreeProvider(store);
    this.treeView = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: this.provider, showCollapseAll: true });
    this.subscription = vscode.Disposable.from(
      store.onDidChange(() => this.update()),
      watcher.onDidChange(() => this.updateBadge()),
      this.treeView.onDidChangeVisibility((e) => {
        store.setVisible(e.visible);
        watcher.setViewVisible(e.visible);
      }),
    );
    store.setVisible(this.treeView.visible);
    watcher.setViewVisible(this.treeView.visible);
    this.update();
  }

  /**
   * Shows a run in the tree, selected, when its status group lists it; false when it is not listed
   * (filtered out, out of scope, or beyond "Show more").
   */
  async reveal(runId: string): Promise<boolean> {
    await vscode.commands.executeCommand(`${VIEW_ID}.focus`);
    // The view may have been hidden while the run moved: catch up first.
    await this.store.refresh();
    const node = this.provider.listedRun(runId);
    if (!node) return false;
    // Right after the view is focused the tree may not have its nodes yet: try again a moment later.
    for (let attempt = 0; ; attempt++) {
      try {
        await this.treeView.reveal(node, { select: true, focus: true });
        return true;
      } catch (err) {
        if (attempt === 4) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  private update(): void {
    const state = this.store.state;
    const ready = state.kind === 'ready';
    const empty = ready && state.groups.length === 0;
    const key = state.kind === 'no-database' ? 'noDatabase' : state.kind === 'ready' ? (empty ? 'empty' : 'ready') : state.kind;
    void vscode.commands.executeCommand('setContext', 'workflowRuns.state', key);
    // Before the first read (the view not opened yet) the palette offers them; they load the data.
    const loading = state.kind === 'loading';
    void vscode.commands.executeCommand('setContext', 'workflowRuns.hasResumable', loading || (ready && state.hasResumable));
    void vscode.commands.executeCommand('setContext', 'workflowRuns.hasCancellable', loading || (ready && state.hasCancellable));
    void vscode.commands.executeCommand('setContext', 'workflowRuns.hasOpenGates', loading || (ready && state.openGates > 0));
    void vscode.commands.executeCommand('setContext', 'workflowRuns.scope', this.store.scope);
    this.treeView.message = state.kind !== 'loading' && state.kind !== 'ready' ? state.message : undefined;
    const parts: string[] = [this.store.folders ? vscode.l10n.t('This Workspace') : vscode.l10n.t('All')];
    if (this.store.filter.statuses.length) parts.push(this.store.filter.statuses.join(', '));
    if (this.store.filter.text) parts.push(`“${this.store.filter.text}”`);
    // A container with a single view shows its title, not its description: the scope goes there.
    this.treeView.title = vscode.l10n.t('Runs · {0}', parts.join(' · '));
  }

  private updateBadge(): void {
    const summary = this.watcher.summary;
    const waiting = summary ? summary.awaiting + summary.unseenFailures : 0;
    const tooltip = summary
      ? [
          summary.awaiting ? vscode.l10n.t('{0} awaiting approval', summary.awaiting) : undefined,
          summary.unseenFailures ? vscode.l10n.t('{0} failed since you last looked', summary.unseenFailures) : undefined,
        ]
          .filter(Boolean)
          .join(', ')
      : '';
    this.treeView.badge = waiting > 0 ? { value: waiting, tooltip } : undefined;
  }

  dispose(): void {
    this.subscription.dispose();
    this.treeView.dispose();
    this.provider.dispose();
  }
}
