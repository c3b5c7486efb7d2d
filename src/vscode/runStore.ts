import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { locateDatabase } from '../core/databaseLocation';
import { isProblem, messageOf } from '../core/errors';
import { RunReader } from '../core/runReader';
import { STATUSES, type RunFilter, type RunSummary, type StatusCounts } from '../core/runModel';
import { config, databasePathSetting, type Scope } from './configuration';
import { log } from './log';

/** The tree's groups, in the order people look for them; `other` holds statuses Archon may add. */
export const GROUPS = [...STATUSES, 'other'] as const;
export type GroupKey = (typeof GROUPS)[number];

export interface Group {
  key: GroupKey;
  count: number;
  runs: RunSummary[];
}

export type StoreState =
  | { kind: 'loading' }
  | { kind: 'no-database' | 'unreadable' | 'postgres'; dbPath: string; message: string }
  | {
      kind: 'ready';
      dbPath: string;
      counts: StatusCounts;
      groups: Group[];
      hasResumable: boolean;
      hasCancellable: boolean;
      /** More than one project among the runs shown: only then do rows name theirs. */
      manyProjects: boolean;
      reader: RunReader;
    };

export interface ViewFilter {
  statuses: string[];
  text: string;
}

function fileSignature(file: string): string {
  try {
    const s = fs.statSync(file);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return 'none';
  }
}

/**
 * What the tree shows: one consistent snapshot of the database, re-read when the files change.
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

  get dbPath(): string | undefined {
    return this.state.kind === 'loading' ? undefined : this.state.dbPath;
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

  private location() {
    return locateDatabase({ explicitPath: databasePathSetting(), cwd: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath });
  }

  private async load(force: boolean): Promise<void> {
    const location = this.location();
    const { dbPath } = location;
    if (location.postgresConfiguredIn) {
      return this.set({ kind: 'postgres', dbPath, message: `Archon uses PostgreSQL (DATABASE_URL in ${location.postgresConfiguredIn}).` });
    }
    const view = JSON.stringify([dbPath, this.scope, this.filter, [...this.limits], config.runsPerGroup()]);
    const key = `${view}:${fileSignature(dbPath)}:${fileSignature(`${dbPath}-wal`)}`;
    if (!force && key === this.lastKey) return;
    this.lastKey = key;
    let reader: RunReader;
    try {
      reader = await RunReader.open(dbPath);
    } catch (err) {
      this.lastKey = '';
      log.warn(`reading ${dbPath}: ${messageOf(err)}`);
      if (isProblem(err, 'no-database')) return this.set({ kind: 'no-database', dbPath, message: `No database at ${dbPath}.` });
      if (isProblem(err, 'unstable') && this.state.kind === 'ready') return; // keep showing the last good data
      return this.set({ kind: 'unreadable', dbPath, message: messageOf(err) });
    }
    // The files were touched but the committed data is the same (e.g. a checkpoint): nothing to redraw.
    const data = `${view}:${reader.fingerprint}`;
    if (!force && data === this.lastData && this.state.kind === 'ready') {
      reader.close();
      return;
    }
    this.lastData = data;
    try {
      this.set({ kind: 'ready', dbPath, reader, ...this.query(reader) });
    } catch (err) {
      reader.close();
      this.lastKey = this.lastData = '';
      log.error(`querying ${dbPath}: ${messageOf(err)}`);
      this.set({ kind: 'unreadable', dbPath, message: messageOf(err) });
    }
  }

  private query(reader: RunReader) {
    const base = this.baseFilter();
    const counts = reader.countByStatus(base);
    const wanted = new Set(this.filter.statuses);
    const unknown = Object.keys(counts).filter((s) => s !== 'interrupted' && !(STATUSES as readonly string[]).includes(s));
    const groups: Group[] = [];
    for (const key of GROUPS) {
      if (wanted.size && !wanted.has(key)) continue;
      const statuses = key === 'other' ? unknown : [key];
      const count = statuses.reduce((n, s) => n + (counts[s] ?? 0), 0);
      if (count === 0) continue;
      groups.push({ key, count, runs: reader.listRuns({ ...base, statuses, limit: this.limit(key) }) });
    }
    return {
      counts,
      groups,
      manyProjects: new Set(groups.flatMap((g) => g.runs.map((r) => r.codebaseName))).size > 1,
      hasResumable: reader.listRuns({ ...base, resumable: true, limit: 1 }).length > 0,
      hasCancellable: reader.listRuns({ ...base, cancellable: true, limit: 1 }).length > 0,
    };
  }

  private set(state: StoreState): void {
    const previous = this.state;
    this.state = state;
    if (previous.kind === 'ready' && (state.kind !== 'ready' || previous.reader !== state.reader)) previous.reader.close();
    this.changed.fire();
  }

  dispose(): void {
    if (this.state.kind === 'ready') this.state.reader.close();
    this.changed.dispose();
  }
}
