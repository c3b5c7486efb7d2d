import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { WorkflowRunsError } from '../../model/errors';
import { BUSY_TIMEOUT_MS, busy, isBusyCode, type ResultRow, RUN_GRACE_MS, uncertain, usedParams, type WriterEngine, type WriteScript } from './writer';

type NodeSqlite = typeof import('node:sqlite');

/** Loads `node:sqlite` when this runtime has it (Node >= 22.13, VS Code >= 1.101); undefined otherwise. */
export function loadNodeSqlite(): NodeSqlite | undefined {
  try {
    // Built-in on newer runtimes; absent, or behind a flag, on older ones; broken in Electron 37.2.0.
    const mod = require('node:sqlite') as NodeSqlite;
    return typeof mod.DatabaseSync === 'function' ? mod : undefined;
  } catch {
    return undefined;
  }
}

interface Job {
  dbPath: string;
  busyTimeoutMs: number;
  statements: { sql: string; params: Record<string, string | number | null> }[];
  result: { sql: string; params: Record<string, string | number | null> };
}

type Reply = { rows: ResultRow[] } | { error: { message: string; errcode?: number } };

/**
 * Runs in a worker thread: DatabaseSync is synchronous and may wait up to the busy timeout for
 * another process's lock, which must not freeze the caller's thread (the extension host).
 * `db` stays referenced until `close()`: a collected connection finalizes its statements.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { DatabaseSync } = require('node:sqlite');
parentPort.on('message', (job) => {
  let db;
  let open = false;
  try {
    db = new DatabaseSync(job.dbPath);
    // The 'timeout' open option was seen ignored on Node 22.15; the pragma is not.
    db.exec('PRAGMA busy_timeout = ' + job.busyTimeoutMs);
    db.exec('BEGIN IMMEDIATE');
    open = true;
    for (const s of job.statements) db.prepare(s.sql).run(s.params);
    const rows = db.prepare(job.result.sql).all(job.result.params);
    db.exec('COMMIT');
    open = false;
    parentPort.postMessage({ rows: rows.map((r) => ({ ...r })) });
  } catch (err) {
    if (open) { try { db.exec('ROLLBACK'); } catch {} }
    parentPort.postMessage({ error: { message: String(err && err.message || err), errcode: err && err.errcode } });
  } finally {
    try { if (db) db.close(); } catch {}
  }
});
`;

function named(params: Record<string, string | number | null>): Record<string, string | number | null> {
  const out: Record<string, string | number | null> = {};
  for (const [key, value] of Object.entries(params)) out[`:${key}`] = value;
  return out;
}

/** Writes through the runtime's built-in SQLite (`node:sqlite`), off the calling thread. */
export class NodeSqliteWriter implements WriterEngine {
  readonly name = 'node-sqlite' as const;
  readonly description: string;
  private worker: Worker | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    sqlite: NodeSqlite,
    private readonly busyTimeoutMs = BUSY_TIMEOUT_MS,
    private readonly runLimitMs = busyTimeoutMs + RUN_GRACE_MS,
  ) {
    const db = new sqlite.DatabaseSync(':memory:');
    const version = db.prepare('SELECT sqlite_version() AS v').get() as { v: string };
    db.close();
    this.description = `node:sqlite (SQLite ${version.v})`;
  }

  run(dbPath: string, script: WriteScript): Promise<ResultRow[]> {
    // DatabaseSync would create a missing file; a vanished database is an error, not a new one.
    if (!fs.existsSync(dbPath)) return Promise.reject(new WorkflowRunsError('no-database', `No database at ${dbPath}.`));
    const job: Job = {
      dbPath,
      busyTimeoutMs: Math.round(this.busyTimeoutMs),
      statements: script.statements.map((s) => ({ sql: s.sql, params: named(usedParams(s)) })),
      result: { sql: script.result.sql, params: named(usedParams(script.result)) },
    };
    const next = this.queue.then(() => this.send(job));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Ends the worker thread once the writes already queued have finished; a later `run` starts a new one. */
  dispose(): void {
    void this.queue.then(() => {
      void this.worker?.terminate();
      this.worker = undefined;
    });
  }

  private send(job: Job): Promise<ResultRow[]> {
    this.worker ??= new Worker(WORKER_SOURCE, { eval: true });
    const worker = this.worker;
    // Referenced while a job runs; an idle worker must not keep a CLI process alive.
    worker.ref();
    return new Promise((resolve, reject) => {
      // A thread stuck past the limit (a hung network file system, say) is let go, so that neither
      // this write nor the ones queued behind it wait forever.
      const limit = setTimeout(() => {
        lost(uncertain(`the node:sqlite thread did not answer within ${this.runLimitMs} ms and was stopped`));
        void worker.terminate();
      }, this.runLimitMs);
      const done = () => {
        clearTimeout(limit);
        worker.off('error', onError).off('exit', onExit).off('message', onMessage);
        worker.unref();
      };
      const lost = (err: Error) => {
        done();
        if (this.worker === worker) this.worker = undefined;
        reject(err);
      };
      // The thread may have committed before it went: nobody can say, so the caller re-reads.
      const onError = (err: Error) => lost(uncertain(`the node:sqlite thread failed (${err.message})`));
      const onExit = (code: number) => lost(uncertain(`the node:sqlite thread stopped (exit code ${code})`));
      const onMessage = (reply: Reply) => {
        done();
        if ('rows' in reply) return resolve(reply.rows);
        if (isBusyCode(reply.error.errcode)) return reject(busy());
        reject(new WorkflowRunsError('write-failed', `node:sqlite: ${reply.error.message}`));
      };
      worker.on('error', onError).on('exit', onExit).on('message', onMessage);
      worker.postMessage(job);
    });
  }
}
