import * as vscode from 'vscode';
import { messageOf } from '../core/model/errors';
import type { RunSummary } from '../core/model/runModel';
import type { Transition, WatchMemory } from '../core/model/statusWatch';
import { config } from './configuration';
import { log } from './log';
import type { RunSource } from './runSource';

export interface Arrival {
  kind: Transition;
  run: RunSummary;
}

/** What waits on the person, for the status bar and the view's badge. */
export interface WatchSummary {
  running: number;
  awaiting: number;
  /** Runs that failed while the view was hidden, not yet seen there. */
  unseenFailures: number;
}

/**
 * The status watch in the window: on every change of the database (whether the view shows or not)
 * one small read on the reader thread (see core/statusWatch.ts) tells what is running and what
 * waits on the person, and which runs moved into such a state since the last read. Nothing is read
 * while there is no database, or one above the size threshold not yet opened. The first read for
 * a database and scope only learns what is so: nothing already failed or waiting is news.
 */
export class StatusWatcher implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly arrivedEmitter = new vscode.EventEmitter<Arrival[]>();
  /** Runs that moved into a state worth telling, a batch per read. */
  readonly onDidArrive = this.arrivedEmitter.event;
  summary: WatchSummary | undefined;
  private memory: { key: string; value: WatchMemory } | undefined;
  private lastRead = '';
  private readonly unseen = new Set<string>();
  private viewVisible = false;
  private inFlight: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly source: RunSource,
    /** The folders the tree is scoped to; undefined for all runs. */
    private readonly folders: () => string[] | undefined,
  ) {}

  /** Reads again if the database changed since the last read (or its scope did); one read at a time. */
  poke(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    this.inFlight = (async () => {
      do {
        this.again = false;
        await this.watch().catch((err) => log.warn(`status watch: ${messageOf(err)}`));
      } while (this.again);
    })().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /** The view shows: the failures it lists are seen. */
  setViewVisible(visible: boolean): void {
    this.viewVisible = visible;
    if (visible && this.unseen.size) {
      this.unseen.clear();
      this.update(this.summary);
    }
  }

  private async watch(): Promise<void> {
    const file = await this.source.check();
    if ('kind' in file) {
      this.memory = undefined;
      this.lastRead = '';
      return this.update(undefined);
    }
    const completed = config.notifications() === 'all';
    const key = JSON.stringify([file.where, this.folders(), completed]);
    if (`${key}:${file.signature}` === this.lastRead) return;
    const memory = this.memory?.key === key ? this.memory.value : undefined;
    const { value } = await this.source.read(file.target, 'watch', { folders: this.folders(), completed, memory });
    this.memory = { key, value: value.memory };
    this.lastRead = `${key}:${file.signature}`;
    if (!this.viewVisible) for (const a of value.arrived) if (a.kind === 'failed') this.unseen.add(a.run.id);
    this.update({ running: value.running, awaiting: value.awaiting });
    if (value.arrived.length) this.arrivedEmitter.fire(value.arrived);
  }

  private update(summary: Omit<WatchSummary, 'unseenFailures'> | undefined): void {
    this.summary = summary && { ...summary, unseenFailures: this.unseen.size };
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
    this.arrivedEmitter.dispose();
  }
}
