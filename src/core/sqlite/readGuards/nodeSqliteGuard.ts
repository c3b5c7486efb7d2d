import { WorkflowRunsError } from '../../model/errors';
import type { loadNodeSqlite } from '../writers/nodeSqliteWriter';
import { isBusyCode } from '../writers/writer';
import { GUARD_BUSY_TIMEOUT_MS, type GuardLease, type ReadGuard, readBusy } from './readGuard';

type NodeSqlite = NonNullable<ReturnType<typeof loadNodeSqlite>>;

/**
 * A read guard through the runtime's built-in SQLite, on the calling thread (the reader thread in
 * the extension): opening, beginning and releasing take well under a millisecond.
 */
export class NodeSqliteGuard implements ReadGuard {
  readonly name = 'node-sqlite' as const;
  readonly description: string;

  constructor(
    private readonly sqlite: NodeSqlite,
    private readonly busyTimeoutMs = GUARD_BUSY_TIMEOUT_MS,
  ) {
    const db = new sqlite.DatabaseSync(':memory:');
    this.description = `node:sqlite (SQLite ${(db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v})`;
    db.close();
  }

  async acquire(dbPath: string): Promise<GuardLease> {
    let db: InstanceType<NodeSqlite['DatabaseSync']> | undefined;
    try {
      db = new this.sqlite.DatabaseSync(dbPath, { readOnly: true });
      db.exec(`PRAGMA busy_timeout = ${Math.round(this.busyTimeoutMs)}`);
      db.exec('BEGIN');
      // A deferred transaction takes its read lock (its WAL read mark) at its first read.
      db.prepare('SELECT count(*) FROM sqlite_master').get();
    } catch (err) {
      try {
        db?.close();
      } catch {
        // already failed; the first error is the one to report
      }
      const { errcode, message } = err as { errcode?: number; message?: string };
      if (isBusyCode(errcode)) throw readBusy(dbPath);
      throw new WorkflowRunsError('unstable', `node:sqlite cannot guard the read (${message ?? String(err)})`);
    }
    const open = db;
    return {
      release: async () => {
        try {
          open.exec('COMMIT');
        } finally {
          open.close();
        }
      },
    };
  }

  dispose(): void {}
}
