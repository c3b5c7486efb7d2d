import * as vscode from 'vscode';
import { messageOf } from '../../core/errors';
import { log } from '../log';
import type { RunStore } from '../runStore';
import { EventNode, EventsNode, GroupNode, MessageNode, type Node, RunNode, ShowMoreNode } from './nodes';

/** The Runs view: status groups, runs, and under each run its child runs and its events. */
export class RunsTreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly store: RunStore) {
    this.subscription = store.onDidChange(() => this.changed.fire(undefined));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    return node;
  }

  /** Groups and their runs come from the store at once; a run's children and events are read on expand. */
  getChildren(node?: Node): Node[] | Promise<Node[]> {
    const state = this.store.state;
    if (state.kind !== 'ready') return [];
    if (!node) return state.groups.map((g) => new GroupNode(g.key, g.count, g.runs, g.key === 'running' ? (state.counts.interrupted ?? 0) : 0));
    if (node instanceof GroupNode) {
      const runs: Node[] = node.runs.map((run) => new RunNode(run, node.id!, state.manyProjects));
      return node.hasMore ? [...runs, new ShowMoreNode(node.key)] : runs;
    }
    return this.read(node);
  }

  private async read(node: Node): Promise<Node[]> {
    try {
      if (node instanceof RunNode) {
        const children = (await this.store.read('children', node.run.id)).map((run) => new RunNode(run, node.id!));
        return [...children, new EventsNode(node.run.id, node.id!)];
      }
      if (node instanceof EventsNode) {
        const events = await this.store.read('events', node.runId);
        return events.length ? events.map((e) => new EventNode(e, node.id!)) : [new MessageNode('No events', `${node.id}/none`)];
      }
    } catch (err) {
      log.error(`listing children: ${messageOf(err)}`);
      return [new MessageNode(`Could not read: ${messageOf(err)}`, `${node.id}/error`)];
    }
    return [];
  }

  /** Parents are not needed for reveal of top-level runs; the view never reveals deeper nodes. */
  getParent(): undefined {
    return undefined;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
