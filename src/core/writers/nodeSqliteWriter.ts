import * as fs from 'node:fs';
import { WorkflowRunsError } from '../errors';
import { BUSY_TIMEOUT_MS, isBusyCode, type ResultRow, type Statement, usedParams, type WriterEngine, type WriteScript } from './writer';

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

function named(statement: Statement): Record<string, string | number | null> {
  const out: Record<string, string | number | null> = {};
  for (const [key, value] of Object.entries(usedParams(statement))) out[`:${key}`] = value;
  return out;
}

/** Writes through the runtime's built-in SQLite (`node:sqlite`). */
export class NodeSqliteWriter implements WriterEngine {
  readonly name = 'node-sqlite' as const;
  readonly description: string;

  constructor(private readonly sqlite: NodeSqlite) {
    const db = new sqlite.DatabaseSync(':memory:');
    const version = db.prepare('SELECT sqlite_version() AS v').get() as { v: string };
    db.close();
    this.description = `node:sqlite (SQLite ${version.v})`;
  }

  async run(dbPath: string, script: WriteScript): Promise<ResultRow[]> {
    // DatabaseSync would create a missing file; a vanished database is an error, not a new one.
    if (!fs.existsSync(dbPath)) throw new WorkflowRunsError('no-database', `No database at ${dbPath}.`);
    // `db` stays referenced until `close()` in `finally`: a collected connection finalizes its statements.
    const db = new this.sqlite.DatabaseSync(dbPath);
    let open = false;
    try {
      // The `timeout` open option was seen ignored on Node 22.15; the pragma is not.
      db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
      db.exec('BEGIN IMMEDIATE');
      open = true;
      for (const statement of script.statements) db.prepare(statement.sql).run(named(statement));
      const rows = db.prepare(script.result.sql).all(named(script.result)) as ResultRow[];
      db.exec('COMMIT');
      open = false;
      return rows;
    } catch (err) {
      if (open) {
        try {
          db.exec('ROLLBACK');
        } catch {
          // Closing the connection rolls back too.
        }
      }
      const code = (err as { errcode?: number }).errcode;
      if (isBusyCode(code)) {
        throw new WorkflowRunsError('busy', 'The database is busy (another process holds its write lock); nothing changed. Retry.');
      }
      throw new WorkflowRunsError('write-failed', `node:sqlite: ${(err as Error).message}`);
    } finally {
      db.close();
    }
  }
}
