import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Database, SqlJsStatic } from 'sql.js';
import { isProblem, messageOf, WorkflowRunsError } from '../../model/errors';
import type { PageTracker } from '../overview';
import { type Queryable, sqlJsQueryable } from '../queryable';
import type { ReadGuard } from '../readGuards/readGuard';
import { type GuardOptions, selectReadGuard } from '../readGuards/selectReadGuard';
import { RunReader } from '../runReader';
import { loadNodeSqlite } from '../writers/nodeSqliteWriter';
import { detectSchema } from '../schema';
import { raced, SnapshotFile, type SyncResult, UNGUARDED_BUDGET_MS } from './snapshotFile';
import { loadSqlJs } from './sqlJs';

/** Unguarded attempts that read pages as the queries need them; later ones read the whole file first. */
const LAZY_ATTEMPTS = 3;
/** The longest pause a guarded read leaves before the next (see `pauseForWriters`). */
const MAX_PAUSE_MS = 250;

/** How a read went, for logs and measurements. */
export interface ReadStats {
  /** `guarded`: under a read transaction of a real SQLite; `unguarded`: checked and retried instead. */
  path: 'guarded' | 'unguarded';
  /** The guard's engine, or why there was none. */
  guard: string;
  /** How long the guard was held (guarded reads). */
  heldMs?: number;
  /** How the snapshot moved forward: not at all, by new log frames, or read afresh. */
  mode: SyncResult['mode'];
  /** Committed log frames read. */
  walFrames: number;
  /** Main-file bytes read from disk. */
  bytesRead: number;
  /**
   * The log was restarted and written over while the queries ran (as a guard on read mark 0
   * allows): the pages of its frames were read from the main file instead (see `SnapshotFile`).
   */
  logOverwritten: boolean;
  /** 1 unless a checkpoint raced an unguarded read and it was done again. */
  attempts: number;
}

export interface ReadResult<T> {
  value: T;
  /** Identifies the committed data read: equal fingerprints mean equal data. */
  fingerprint: string;
  stats: ReadStats;
}

/** A read's queries; `guarded` says whether this pass is final (an unguarded one may be done again: see `read`). */
type Use<T> = (reader: RunReader, db: Queryable, pages: PageTracker, guarded: boolean) => T;

/** How a snapshot is read: its read guard, and how much memory its pages may take (see `PageCache`). */
export interface SnapshotOptions extends GuardOptions {
  cacheMB?: number;
  /**
   * Whether a read without a guard may open the `-shm` (see `SnapshotFile`). By default only where
   * the runtime has no node:sqlite, so that no SQLite connection of this process holds its locks.
   */
  readShm?: boolean;
}

/**
 * A live SQLite database read through sql.js. It stays open between reads: each read moves the
 * snapshot to the latest commit (reading only new log frames when it can) and runs its queries.
 *
 * A read takes a read guard first when it can (a read transaction in node:sqlite or the sqlite3
 * shell, see `readGuards/`), and then needs one pass and no checks. Without one (no engine, a
 * `-shm` that cannot be written, or a WAL database nobody has open, which would need one created)
 * the read checks afterwards that no checkpoint raced it and reads again if one did, for up to
 * `UNGUARDED_BUDGET_MS`. Never writes.
 */
export class SnapshotDatabase {
  private db: Database | undefined;
  private reader: RunReader | undefined;
  private query: Queryable | undefined;
  private schemaCookie = -1;
  /** `SnapshotFile.generation` when sql.js opened the file. */
  private openedAt = -1;
  /** When the last guarded read ended, and how long it held the guard. */
  private released = { at: 0, heldMs: 0 };

  private constructor(
    private readonly SQL: SqlJsStatic,
    readonly dbPath: string,
    private readonly guard: ReadGuard | undefined,
    private readonly noGuard: string | undefined,
    private readonly file: SnapshotFile,
  ) {}

  static async open(dbPath: string, options: SnapshotOptions = {}): Promise<SnapshotDatabase> {
    const [SQL, selected] = await Promise.all([loadSqlJs(), selectReadGuard(options)]);
    const file = new SnapshotFile(dbPath, options.cacheMB, options.readShm ?? !loadNodeSqlite());
    return new SnapshotDatabase(SQL, dbPath, selected.guard, selected.reason, file);
  }

  /** Opens `dbPath`, runs one read and closes it: for one-shot reads of a file (the tests; the CLI reads through `RunsReader`). */
  static async readOnce<T>(dbPath: string, use: Use<T>, options: SnapshotOptions = {}): Promise<T> {
    const db = await SnapshotDatabase.open(dbPath, options);
    try {
      return (await db.read(use)).value;
    } finally {
      db.close();
    }
  }

  /**
   * Runs `use` on the latest committed data (`db` for statements of one's own, read-only; `pages`
   * to tell whether what it read changed since an earlier read).
   */
  async read<T>(use: Use<T>): Promise<ReadResult<T>> {
    const unguardable = this.guard ? this.unguardable() : this.noGuard;
    if (this.guard && !unguardable) {
      await this.pauseForWriters();
      let lease;
      try {
        lease = await this.guard.acquire(this.dbPath);
      } catch (err) {
        if (isProblem(err, 'busy')) throw err;
        return this.readUnguarded(use, messageOf(err));
      }
      const started = performance.now();
      try {
        const sync = this.file.sync(true);
        const value = this.run(use, true);
        const heldMs = performance.now() - started;
        return { value, fingerprint: this.file.fingerprint, stats: { path: 'guarded', guard: this.guard.name, heldMs, ...this.counts(sync, 1) } };
      } finally {
        await lease.release();
        this.released = { at: performance.now(), heldMs: performance.now() - started };
      }
    }
    return this.readUnguarded(use, unguardable!);
  }

  /**
   * A checkpoint that must wait for readers (RESTART, TRUNCATE) retries between its waits: reads
   * back to back would starve it. So a guarded read holds the guard at most half the time, with
   * a pause as long as the last hold (up to `MAX_PAUSE_MS`) since it ended.
   */
  private async pauseForWriters(): Promise<void> {
    const wait = Math.min(this.released.heldMs, MAX_PAUSE_MS) - (performance.now() - this.released.at);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }

  /** Why no guard can be taken on the file now (see `unguardableBecause`), or undefined. */
  private unguardable(): string | undefined {
    let header: Buffer;
    try {
      header = this.file.mainHeader();
    } catch (err) {
      return `the file cannot be read (${messageOf(err)})`;
    }
    return unguardableBecause(this.dbPath, header);
  }

  /** Reads without a guard: checks afterwards, and reads again while checkpoints raced it, within the budget. */
  private readUnguarded<T>(use: Use<T>, why: string): ReadResult<T> {
    const deadline = Date.now() + UNGUARDED_BUDGET_MS;
    let walFrames = 0;
    let mode: SyncResult['mode'] = 'none';
    for (let attempt = 1; attempt === 1 || Date.now() < deadline; attempt++) {
      const sync = this.file.sync(false, deadline);
      walFrames += sync.walFrames;
      if (sync.mode === 'full' || (sync.mode === 'incremental' && mode === 'none')) mode = sync.mode;
      // Checkpoints keep racing the queries: take the whole snapshot in one quick pass and check it
      // (when the page cache holds it whole; else the queries keep reading pages as they go).
      if (attempt > LAZY_ATTEMPTS && this.file.readAll() && !this.file.validate()) continue;
      let result: { value: T } | { error: unknown };
      try {
        result = { value: this.run(use, false) };
      } catch (error) {
        result = { error };
      }
      // Whatever happened, it only counts if no checkpoint changed the main file under the queries.
      if (!this.file.validate()) continue;
      if ('error' in result) throw result.error;
      const stats: ReadStats = { path: 'unguarded', guard: why, ...this.counts({ mode, walFrames }, attempt) };
      return { value: result.value, fingerprint: this.file.fingerprint, stats };
    }
    throw raced();
  }

  private counts(sync: SyncResult, attempts: number): Pick<ReadStats, 'mode' | 'walFrames' | 'bytesRead' | 'logOverwritten' | 'attempts'> {
    return { mode: sync.mode, walFrames: sync.walFrames, bytesRead: this.file.takeBytesRead(), logOverwritten: this.file.logOverwritten, attempts };
  }

  /** Runs `use` on the synced snapshot; a file SQLite cannot read becomes `not-a-database`. */
  private run<T>(use: Use<T>, guarded: boolean): T {
    let reader: RunReader;
    try {
      reader = this.prepare();
    } catch (err) {
      throw err instanceof WorkflowRunsError ? err : new WorkflowRunsError('not-a-database', `${this.dbPath} is not a readable SQLite database (${messageOf(err)}).`);
    }
    return use(reader, this.query!, this.file, guarded);
  }

  /** The reader for the synced snapshot: opens sql.js anew when the file asks for it, re-reads the schema when it changed. */
  private prepare(): RunReader {
    if (!this.db || this.openedAt !== this.file.generation) {
      this.db?.close();
      this.db = undefined;
      this.reader = undefined;
      this.db = new this.SQL.Database(this.file.contents() as unknown as Uint8Array);
      this.db.exec('PRAGMA query_only = 1');
      this.openedAt = this.file.generation;
    }
    const cookie = this.file.pages > 0 ? Buffer.from(this.file.read(40, 44)).readUInt32BE(0) : -1;
    if (!this.reader || cookie !== this.schemaCookie) {
      this.query = sqlJsQueryable(this.db);
      this.reader = new RunReader(this.query, detectSchema(this.query, this.dbPath));
      this.schemaCookie = cookie;
    }
    return this.reader;
  }

  close(): void {
    this.db?.close();
    this.db = undefined;
    this.reader = undefined;
    this.file.close();
    this.guard?.dispose();
  }
}

function writable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Why a guard cannot be taken on this file now, or undefined when it can. A WAL database needs its
 * `-shm` written by every reader that takes a read mark; one that nobody has open has no `-wal`,
 * and a reader would create one (and a `-shm`) and leave them behind. A rollback-journal database
 * needs nothing but the SHARED lock. Anything unreadable is left to the unguarded read, which
 * says what is wrong with it.
 */
function unguardableBecause(dbPath: string, header: Buffer): string | undefined {
  if (header.length < 100) return 'the file is too short to be a database';
  if (header[18] !== 2) return undefined;
  if (!fs.existsSync(`${dbPath}-wal`)) return 'it is a WAL database that no process has open (no -wal file)';
  const shm = `${dbPath}-shm`;
  if (fs.existsSync(shm) ? !writable(shm) : !writable(path.dirname(dbPath))) return 'its -shm file cannot be written (read-only media?)';
  return undefined;
}
