import * as vscode from 'vscode';
import { isProblem, messageOf, WorkflowRunsError } from '../core/model/errors';
import type { GroupKey, Overview } from '../core/model/overview';
import type { ReaderCall, ReaderCalls } from '../core/model/readCalls';
import type { RunFilter } from '../core/model/runModel';
import { config, type Scope } from './configuration';
import { log } from './log';
import type { RunSource, SourceProblem } from './runSource';
import type { DatabaseTarget } from '../core/database';

/** How long the view stays hidden before the reader thread is ended to give its memory back. */
const IDLE_RELEASE_MS = 5 * 60 * 1000;

/** Problems the view shows in place of the tree: a source problem, or what a read said. */
export type ProblemKind = SourceProblem['kind'] | 'unreadable' | 'unreachable' | 'auth';

export type StoreState =
  | { kind: 'loading' }
  | { kind: ProblemKind; where: string; message: string }
  | (Overview & {
      kind: 'ready';
      target: DatabaseTarget;
      /** The database in words (a path, or a server without its password). */
      where: string;
      /** More than one project among the runs shown: only then do rows name theirs. */
      manyProjects: boolean;
    });

export interface ViewFilter {
  statuses: string[];
  text: string;
}

/**
 * What the tree shows: one consistent snapshot of the database, re-read when the files change.
 * Reading happens on the reader thread; this thread only sends requests and keeps the answers.
 * Refreshes never overlap; a refresh asked for while one runs is done once after it, so the latest
 * data wins. Problems become a state the view renders, never a storm of notifications.
 */
export class RunStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  state: StoreState = { kind: 'loading' };
  scope: Scope = config.scope();
  filter: ViewFilter = { statuses: [], text: '' };
  private readonly limits = new Map<GroupKey, number>();
  private inFlight: Promise<void> | undefined;
  private visible = false;
  private stale = true;
  private again = false;
  private lastKey = '';
  private lastData = '';
  private idle: NodeJS.Timeout | undefined;

  constructor(private readonly source: RunSource) {}

  /** The database shown, once read. */
  get target(): DatabaseTarget | undefined {
    return this.state.kind === 'ready' ? this.state.target : undefined;
  }

  /** The SQLite file shown, if the database shown is one. */
  get dbPath(): string | undefined {
    return this.target?.engine === 'sqlite' ? this.target.dbPath : undefined;
  }

  /** The folders runs are scoped to, or undefined for all runs. */
  get folders(): string[] | undefined {
    const folders = vscode.workspace.workspaceFolders?.filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
    return this.scope === 'workspace' && folders?.length ? folders : undefined;
  }

  baseFilter(): RunFilter {
    return { folders: this.folders, text: this.filter.text || undefined };
  }

  showMore(key: GroupKey): void {
    this.limits.set(key, this.limit(key) + config.runsPerGroup());
    void this.refresh(true);
  }

  private limit(key: GroupKey): number {
    return this.limits.get(key) ?? config.runsPerGroup();
  }

  /**
   * While the view is hidden nothing is read: a change only marks the data stale, and the read
   * happens when the view shows again (or a command needs the data).
   */
  setVisible(visible: boolean): void {
    this.visible = visible;
    clearTimeout(this.idle);
    // Hidden for a while: the reader thread and the pages it holds are let go; showing the view
    // again starts a new one (a first read, not a refresh).
    if (!visible) this.idle = setTimeout(() => this.source.release(), IDLE_RELEASE_MS);
    if (visible && this.stale) void this.refresh();
  }

  /** For the file watcher and polling: re-reads only what someone is looking at. */
  refreshIfVisible(): Promise<void> {
    if (this.visible) return this.refresh();
    this.stale = true;
    return Promise.resolve();
  }

  /** Loads the data once if nothing was read yet (for commands run before the view was opened). */
  async ensureLoaded(): Promise<void> {
    if (this.state.kind === 'loading') await this.refresh(true);
  }

  /** Re-reads the database if its files changed (or always, with `force`). */
  refresh(force = false): Promise<void> {
    this.stale = false;
    if (this.inFlight) {
      this.again = true;
      if (force) this.lastKey = '';
      return this.inFlight;
    }
    this.inFlight = (async () => {
      do {
        this.again = false;
        await this.load(force);
        force = false;
      } while (this.again);
    })().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /** Opens a database above the size threshold (the person's "Open Anyway"). */
  openAnyway(): Promise<void> {
    if (this.state.kind !== 'loading') this.source.openAnyway(this.state.where);
    return this.refresh(true);
  }

  /** One read on the reader thread, against the database the tree shows. */
  async read<M extends ReaderCall>(call: M, arg: ReaderCalls[M][0]): Promise<ReaderCalls[M][1]> {
    if (this.state.kind !== 'ready') throw new WorkflowRunsError('no-database', vscode.l10n.t('No workflow-runs database is loaded.'));
    return (await this.source.read(this.state.target, call, arg)).value;
  }

  private async load(force: boolean): Promise<void> {
    const file = await this.source.check();
    if ('kind' in file) {
      this.lastKey = this.lastData = '';
      return this.set(file);
    }
    const { target, where } = file;
    const view = JSON.stringify([where, this.scope, this.filter, [...this.limits], config.runsPerGroup()]);
    const key = `${view}:${file.signature}`;
    if (!force && key === this.lastKey) return;
    this.lastKey = key;
    let read;
    try {
      read = await this.source.read(target, 'overview', {
        base: this.baseFilter(),
        statuses: this.filter.statuses,
        limits: Object.fromEntries(this.limits),
        defaultLimit: config.runsPerGroup(),
      });
    } catch (err) {
      this.lastKey = this.lastData = '';
      log.warn(`reading ${where}: ${messageOf(err)}`);
      if (isProblem(err, 'no-database')) return this.set({ kind: 'no-database', where, message: messageOf(err) });
      // Keep showing the last good data: the next change brings a new read.
      if ((isProblem(err, 'unstable') || isProblem(err, 'busy')) && this.state.kind === 'ready') return;
      const kind = isProblem(err, 'unreachable') ? 'unreachable' : isProblem(err, 'auth') ? 'auth' : 'unreadable';
      return this.set({ kind, where, message: messageOf(err) });
    }
    const { value: overview, fingerprint } = read;
    // The database changed but its data did not (e.g. a checkpoint): nothing to redraw.
    const data = `${view}:${fingerprint}`;
    if (!force && data === this.lastData && this.state.kind === 'ready') return;
    this.lastData = data;
    const manyProjects = new Set(overview.groups.flatMap((g) => g.runs.map((r) => r.codebaseName))).size > 1;
    this.set({ kind: 'ready', target, where, ...overview, manyProjects });
  }

  private set(state: StoreState): void {
    this.state = state;
    this.changed.fire();
  }

  dispose(): void {
    clearTimeout(this.idle);
    this.changed.dispose();
  }
}
