import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { DatabaseTarget, ReadOutcome, RunsReader } from '../core/database';
import type { ReaderCall, ReaderCalls } from '../core/model/readCalls';
import { describeTarget, openReader } from '../core/openDatabase';
import { PostgresListener } from '../core/postgres/postgresListener';
import type { SnapshotOptions } from '../core/sqlite/snapshot/snapshotDatabase';
import { config } from './configuration';
import type { Connections } from './connections';
import { log } from './log';

/** Why the database is not read now; the view shows the message. */
export interface SourceProblem {
  kind: 'no-database' | 'too-large' | 'workspace-database';
  /** The database in words (a path, or a server without its password). */
  where: string;
  message: string;
}

/** The database to read, with what changes when it does. */
export interface SourceReady {
  target: DatabaseTarget;
  where: string;
  signature: string;
}

function fileStat(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}

const signature = (s: fs.Stats | undefined) => (s ? `${s.ino}:${s.size}:${s.mtimeMs}` : 'none');

function size(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  return bytes >= 1024 ** 2 ? `${Math.round(bytes / 1024 ** 2)} MB` : `${Math.round(bytes / 1024)} KB`;
}

/**
 * How SQLite reads are guarded: by node:sqlite, else the sqlite3 shell the user configured (in
 * Restricted Mode only by node:sqlite, which starts no program); and the page cache's size.
 */
function snapshotOptions(): SnapshotOptions {
  return { guard: vscode.workspace.isTrusted ? 'auto' : 'node-sqlite', sqlite3Path: config.sqlite3Path(), cacheMB: config.pageCacheMB() };
}

/**
 * Where runs are read from (see `Connections`), read by one reader for the tree and the status
 * watch alike: SQLite on a reader thread; PostgreSQL over its own connections, with a LISTEN
 * connection whose notifications count as changes. A SQLite file above the size threshold is not
 * read until the person opens it anyway, asked once before its first read.
 */
export class RunSource implements vscode.Disposable {
  private current: { key: string; reader: RunsReader; listener?: PostgresListener } | undefined;
  /** Databases read once: growing past the threshold while shown changes nothing. */
  private readonly opened = new Set<string>();
  /** Counts changes (file events, notifications, polls): a PostgreSQL database has no files to look at. */
  private changes = 0;
  private lastWarning = '';

  constructor(
    private readonly connections: Connections,
    /** Called when the database says it changed (a PostgreSQL notification). */
    private readonly onNotified: () => void,
  ) {}

  /** Something may have changed: the next check of a PostgreSQL database asks for a read. */
  changed(): void {
    this.changes++;
  }

  /** The database to read now, or why not; looks only at the files (on SQLite), reads nothing. */
  async check(): Promise<SourceReady | SourceProblem> {
    const { target, needsConsent } = await this.connections.target();
    const where = describeTarget(target);
    if (needsConsent) {
      return { kind: 'workspace-database', where, message: vscode.l10n.t("This workspace's .archon/.env points Archon at {0}. Connect to it?", where) };
    }
    if (target.engine === 'postgres') return { target, where, signature: `postgres:${this.changes}` };
    const main = fileStat(target.dbPath);
    if (!main) return { kind: 'no-database', where, message: vscode.l10n.t('No database at {0}.', where) };
    const wal = fileStat(`${target.dbPath}-wal`);
    const bytes = main.size + (wal?.size ?? 0);
    const threshold = config.largeDatabaseThresholdBytes();
    if (threshold > 0 && bytes > threshold && !this.opened.has(where)) {
      const message = vscode.l10n.t('This database is {0}, above the {1} threshold. Opening it may take a while.', size(bytes), size(threshold));
      return { kind: 'too-large', where, message };
    }
    return { target, where, signature: `${signature(main)}:${signature(wal)}` };
  }

  /** The SQLite file to watch for changes, if the database is one. */
  async file(): Promise<string | undefined> {
    const { target } = await this.connections.target();
    return target.engine === 'sqlite' ? target.dbPath : undefined;
  }

  /** Opens a database above the size threshold (the person's "Open Anyway"). */
  openAnyway(where: string): void {
    this.opened.add(where);
  }

  /** One read of the database. */
  async read<M extends ReaderCall>(target: DatabaseTarget, call: M, arg: ReaderCalls[M][0]): Promise<ReadOutcome<ReaderCalls[M][1]>> {
    const where = describeTarget(target);
    const result = await this.readerFor(target).read(call, arg);
    this.opened.add(where);
    log.debug(`${call} ${where}: ${result.log}`);
    if (result.warning && result.warning !== this.lastWarning) log.info(`${where}: ${result.warning}`);
    this.lastWarning = result.warning ?? '';
    return result;
  }

  private readerFor(target: DatabaseTarget): RunsReader {
    const snapshot = snapshotOptions();
    const key = JSON.stringify([target, target.engine === 'sqlite' ? snapshot : null]);
    if (this.current?.key !== key) {
      this.disposeCurrent();
      const reader = openReader(target, { snapshot, thread: true });
      const listener = target.engine === 'postgres' ? new PostgresListener(target.url, this.onNotified, (message) => log.warn(`LISTEN: ${message}`)) : undefined;
      this.current = { key, reader, listener };
    }
    return this.current.reader;
  }

  /** Gives back what the reader keeps (the SQLite thread and its pages, PostgreSQL's connections) unless a read is under way. */
  release(): void {
    this.current?.reader.release();
  }

  private disposeCurrent(): void {
    this.current?.reader.dispose();
    this.current?.listener?.dispose();
    this.current = undefined;
  }

  dispose(): void {
    this.disposeCurrent();
  }
}
