import type { Database, SqlJsStatic } from 'sql.js';
import { messageOf, WorkflowRunsError } from './errors';
import type { PageTracker } from './overview';
import { type Queryable, sqlJsQueryable } from './queryable';
import { RunReader } from './runReader';
import { detectSchema } from './schema';
import { MAX_ATTEMPTS, raced, SnapshotFile, type SyncResult } from './snapshotFile';
import { loadSqlJs } from './sqlJs';

/** Attempts that read pages as the queries need them; later ones read the whole file first. */
const LAZY_ATTEMPTS = 3;

/** How a read went, for logs and measurements. */
export interface ReadStats {
  /** How the snapshot moved forward: not at all, by new log frames, or read afresh. */
  mode: SyncResult['mode'];
  /** Committed log frames read. */
  walFrames: number;
  /** Main-file bytes read from disk. */
  bytesRead: number;
  /** 1 unless a checkpoint raced the read and it was done again. */
  attempts: number;
}

export interface ReadResult<T> {
  value: T;
  /** Identifies the committed data read: equal fingerprints mean equal data. */
  fingerprint: string;
  stats: ReadStats;
}

/**
 * A live SQLite database read through sql.js. It stays open between reads: each read first moves
 * the snapshot to the latest commit (reading only new log frames when it can), runs its queries,
 * then checks no checkpoint raced them, and reads again if one did. Never writes.
 */
export class SnapshotDatabase {
  private readonly file: SnapshotFile;
  private db: Database | undefined;
  private reader: RunReader | undefined;
  private query: Queryable | undefined;
  private schemaCookie = -1;
  /** `SnapshotFile.generation` when sql.js opened the file. */
  private openedAt = -1;

  private constructor(
    private readonly SQL: SqlJsStatic,
    readonly dbPath: string,
  ) {
    this.file = new SnapshotFile(dbPath);
  }

  static async open(dbPath: string): Promise<SnapshotDatabase> {
    return new SnapshotDatabase(await loadSqlJs(), dbPath);
  }

  /** Opens `dbPath`, runs one read and closes it (for one-shot callers such as the CLI). */
  static async readOnce<T>(dbPath: string, use: (reader: RunReader, db: Queryable, pages: PageTracker) => T): Promise<T> {
    const db = await SnapshotDatabase.open(dbPath);
    try {
      return db.read(use).value;
    } finally {
      db.close();
    }
  }

  /**
   * Runs `use` on the latest committed data (`db` for statements of one's own, read-only; `pages`
   * to tell whether what it read changed since an earlier read).
   */
  read<T>(use: (reader: RunReader, db: Queryable, pages: PageTracker) => T): ReadResult<T> {
    let walFrames = 0;
    let mode: SyncResult['mode'] = 'none';
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const sync = this.file.sync();
      walFrames += sync.walFrames;
      if (sync.mode === 'full' || (sync.mode === 'incremental' && mode === 'none')) mode = sync.mode;
      // Checkpoints keep racing the queries: take the whole snapshot in one quick pass and check it.
      if (attempt > LAZY_ATTEMPTS) {
        this.file.readAll();
        if (!this.file.validate()) continue;
      }
      let result: { value: T } | { error: unknown };
      try {
        const reader = this.prepare();
        try {
          result = { value: use(reader, this.query!, this.file) };
        } catch (error) {
          result = { error };
        }
      } catch (error) {
        result = { error: this.unreadable(error) };
      }
      // Whatever happened, it only counts if no checkpoint changed the main file under the queries.
      if (!this.file.validate()) continue;
      const stats = { mode, walFrames, bytesRead: this.file.takeBytesRead(), attempts: attempt };
      if ('error' in result) throw result.error;
      return { value: result.value, fingerprint: this.file.fingerprint, stats };
    }
    throw raced();
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

  private unreadable(err: unknown): unknown {
    if (err instanceof WorkflowRunsError) return err;
    return new WorkflowRunsError('not-a-database', `${this.dbPath} is not a readable SQLite database (${messageOf(err)}).`);
  }

  close(): void {
    this.db?.close();
    this.db = undefined;
    this.reader = undefined;
    this.file.close();
  }
}
