import * as vscode from 'vscode';
import { messageOf } from '../../core/model/errors';
import { log } from '../log';
import type { RunStore } from '../runStore';
import type { GroupKey } from '../../core/model/overview';
import { EventNode, EventsNode, GroupNode, MessageNode, type Node, OlderEventsNode, RunNode, ShowMoreNode } from './nodes';

/** The Runs view: status groups, runs, and under each run its child runs and its events. */
/** A run's events listed at first, and how many more each "Show older events" lists: its newest. */
export const EVENTS_SHOWN = 200;

export class RunsTreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  /** How many events each Events node lists, where more were asked for; and the node, to refresh it. */
  private readonly eventsShown = new Map<string, number>();
  private readonly eventsNodes = new Map<string, EventsNode>();
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
    if (!node) return state.groups.map((g) => this.group(g.key)!);
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
        this.eventsNodes.set(node.id!, node);
        const page = await this.store.read('events', { runId: node.runId, newest: this.eventsShown.get(node.id!) ?? EVENTS_SHOWN });
        if (!page.events.length) return [new MessageNode(vscode.l10n.t('No events'), `${node.id}/none`)];
        const events = page.events.map((e) => new EventNode(e, node.id!));
        return page.total > page.events.length ? [new OlderEventsNode(node, page.total - page.events.length), ...events] : events;
      }
    } catch (err) {
      log.error(`listing children: ${messageOf(err)}`);
      return [new MessageNode(vscode.l10n.t('Could not read: {0}', messageOf(err)), `${node.id}/error`)];
    }
    return [];
  }

  /** Lists `EVENTS_SHOWN` more of the events under this Events node. */
  showOlderEvents(eventsNodeId: string): void {
    const node = this.eventsNodes.get(eventsNodeId);
    if (!node) return;
    this.eventsShown.set(eventsNodeId, (this.eventsShown.get(eventsNodeId) ?? EVENTS_SHOWN) + EVENTS_SHOWN);
    this.changed.fire(node);
  }

  /** A status group as the store has it now, with its note. */
  group(key: GroupKey): GroupNode | undefined {
    const state = this.store.state;
    const g = state.kind === 'ready' ? state.groups.find((x) => x.key === key) : undefined;
    if (!g || state.kind !== 'ready') return undefined;
    const interrupted = key === 'running' ? (state.counts.interrupted ?? 0) : 0;
    const gates = key === 'paused' ? state.openGates : 0;
    const note = interrupted ? vscode.l10n.t('{0} interrupted', interrupted) : gates ? vscode.l10n.t('{0} waiting for you', gates) : undefined;
    return new GroupNode(g.key, g.count, g.runs, note);
  }

  /** The listed run with this id, as a node of its status group, for reveal. */
  listedRun(runId: string): RunNode | undefined {
    const state = this.store.state;
    if (state.kind !== 'ready') return undefined;
    for (const g of state.groups) {
      const run = g.runs.find((r) => r.id === runId);
      if (run) return new RunNode(run, `group:${g.key}`, state.manyProjects);
    }
    return undefined;
  }

  /** For reveal: a run's status group (the view reveals only runs listed in groups). */
  getParent(node: Node): Node | undefined {
    return node instanceof RunNode && node.parentId.startsWith('group:') ? this.group(node.parentId.slice('group:'.length) as GroupKey) : undefined;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
