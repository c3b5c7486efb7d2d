import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { locateDatabase } from '../core/archon/databaseLocation';
import { ReaderClient } from '../core/sqlite/readerClient';
import type { ReaderCall, ReaderCalls } from '../core/model/readCalls';
import type { GuardOptions } from '../core/sqlite/readGuards/selectReadGuard';
import type { ReadResult, ReadStats } from '../core/sqlite/snapshot/snapshotDatabase';
import { config, databasePathSetting } from './configuration';
import { log } from './log';

/** Why the database is not read now; the view shows the message. */
export interface SourceProblem {
  kind: 'no-database' | 'postgres' | 'too-large';
  dbPath: string;
  message: string;
}

/** The database to read, with what changes when its files do. */
export interface SourceFile {
  dbPath: string;
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
 * How reads are guarded: by node:sqlite, else the sqlite3 shell the user configured. In Restricted
 * Mode only by node:sqlite, which starts no program.
 */
function guardOptions(): GuardOptions {
  return { guard: vscode.workspace.isTrusted ? 'auto' : 'node-sqlite', sqlite3Path: config.sqlite3Path() };
}

/**
 * Where runs are read from: the database that the settings, or Archon's own environment, name,
 * read on one reader thread for the tree and the status watch alike. A database above the size
 * threshold is not read until the person opens it anyway, asked once before its first read.
 */
export class RunSource implements vscode.Disposable {
  private readonly reader = new ReaderClient();
  /** Databases read once: growing past the threshold while shown changes nothing. */
  private readonly opened = new Set<string>();
  private lastUnguarded = '';

  /** Where the database is, from the settings or Archon's own environment (links resolved). */
  locate() {
    return locateDatabase({ explicitPath: databasePathSetting(), cwd: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath });
  }

  /** The database to read now, or why not; looks only at the files, reads nothing. */
  check(): SourceFile | SourceProblem {
    const location = this.locate();
    const { dbPath } = location;
    if (location.postgresConfiguredIn) {
      return { kind: 'postgres', dbPath, message: vscode.l10n.t('Archon uses PostgreSQL (DATABASE_URL in {0}).', location.postgresConfiguredIn) };
    }
    const main = fileStat(dbPath);
    if (!main) return { kind: 'no-database', dbPath, message: vscode.l10n.t('No database at {0}.', dbPath) };
    const wal = fileStat(`${dbPath}-wal`);
    const bytes = main.size + (wal?.size ?? 0);
    const threshold = config.largeDatabaseThresholdBytes();
    if (threshold > 0 && bytes > threshold && !this.opened.has(dbPath)) {
      const message = vscode.l10n.t('This database is {0}, above the {1} threshold. Opening it may take a while.', size(bytes), size(threshold));
      return { kind: 'too-large', dbPath, message };
    }
    return { dbPath, signature: `${signature(main)}:${signature(wal)}` };
  }

  /** Opens a database above the size threshold (the person's "Open Anyway"). */
  openAnyway(dbPath: string): void {
    this.opened.add(dbPath);
  }

  /** One read on the reader thread. */
  async read<M extends ReaderCall>(dbPath: string, call: M, arg: ReaderCalls[M][0]): Promise<ReadResult<ReaderCalls[M][1]>> {
    const result = await this.reader.read(dbPath, guardOptions(), call, arg);
    this.opened.add(dbPath);
    this.logRead(dbPath, call, result.stats);
    return result;
  }

  /** Every read at debug level; a read without a guard, and why, at info level once per reason. */
  private logRead(dbPath: string, call: string, stats: ReadStats): void {
    const how = stats.path === 'guarded' ? `guarded by ${stats.guard} for ${stats.heldMs!.toFixed(1)} ms` : `unguarded, ${stats.attempts} attempt(s)`;
    log.debug(`${call} ${dbPath}: ${how}; ${stats.mode}, ${stats.walFrames} log frames, ${stats.bytesRead} main-file bytes`);
    if (stats.path === 'unguarded' && stats.guard !== this.lastUnguarded) {
      log.info(`reading ${dbPath} without a read guard: ${stats.guard}. Reads are checked and retried when a checkpoint races them (up to 2 s).`);
    }
    this.lastUnguarded = stats.path === 'unguarded' ? stats.guard : '';
  }

  /** Lets the reader thread go, with the pages it holds, unless a read is under way. */
  release(): void {
    this.reader.release();
  }

  dispose(): void {
    this.reader.dispose();
  }
}
