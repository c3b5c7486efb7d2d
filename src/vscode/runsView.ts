import * as vscode from 'vscode';
import type { RunStore } from './runStore';
import type { Node } from './treeViews/nodes';
import { RunsTreeProvider } from './treeViews/runsTreeProvider';

export const VIEW_ID = 'workflowRuns.runs';

/** The tree view plus what frames it: context keys for menus and welcome views, message, description. */
export class RunsView implements vscode.Disposable {
  readonly provider: RunsTreeProvider;
  readonly treeView: vscode.TreeView<Node>;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly store: RunStore) {
    this.provider = new RunsTreeProvider(store);
    this.treeView = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: this.provider, showCollapseAll: true });
    this.subscription = vscode.Disposable.from(
      store.onDidChange(() => this.update()),
      this.treeView.onDidChangeVisibility((e) => store.setVisible(e.visible)),
    );
    store.setVisible(this.treeView.visible);
    this.update();
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
    void vscode.commands.executeCommand('setContext', 'workflowRuns.scope', this.store.scope);
    this.treeView.message = state.kind !== 'loading' && state.kind !== 'ready' ? state.message : undefined;
    const parts: string[] = [this.store.folders ? 'This Workspace' : 'All'];
    if (this.store.filter.statuses.length) parts.push(this.store.filter.statuses.join(', '));
    if (this.store.filter.text) parts.push(`“${this.store.filter.text}”`);
    // A container with a single view shows its title, not its description: the scope goes there.
    this.treeView.title = `Runs · ${parts.join(' · ')}`;
    const interrupted = ready ? (state.counts.interrupted ?? 0) : 0;
    const running = ready ? (state.counts.running ?? 0) - interrupted : 0;
    this.treeView.badge =
      running > 0 ? { value: running, tooltip: `${running} running${interrupted ? ` (and ${interrupted} interrupted)` : ''}` } : undefined;
  }

  dispose(): void {
    this.subscription.dispose();
    this.treeView.dispose();
    this.provider.dispose();
  }
}
