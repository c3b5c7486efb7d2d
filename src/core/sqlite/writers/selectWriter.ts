import { WorkflowRunsError } from '../../model/errors';
import { loadNodeSqlite, NodeSqliteWriter } from './nodeSqliteWriter';
import { probeSqliteShell, SqliteShellWriter } from './sqliteShellWriter';
import type { EngineChoice, WriterEngine } from './writer';

export interface WriterOptions {
  engine?: EngineChoice;
  /** The `sqlite3` shell to use; found on PATH by default. */
  sqlite3Path?: string;
  /** How long to wait for another process's write lock; 5 s by default, as Archon does. */
  busyTimeoutMs?: number;
}

const HOW_TO_ENABLE =
  'Use VS Code 1.101 or later (or Node 22.13+ for the CLI), which has node:sqlite built in, or install the sqlite3 command-line shell (3.38+) and put it on PATH or in the "workflowRuns.sqlite3Path" setting.';

async function nodeSqlite(options: WriterOptions): Promise<WriterEngine | string> {
  const mod = loadNodeSqlite();
  if (!mod) return `node:sqlite is not available in this runtime (Node ${process.versions.node}).`;
  return new NodeSqliteWriter(mod, options.busyTimeoutMs);
}

async function shell(options: WriterOptions): Promise<WriterEngine | string> {
  const binary = options.sqlite3Path?.trim() || 'sqlite3';
  const version = await probeSqliteShell(binary);
  if (!version) return `no usable sqlite3 shell (3.38 or later) at "${binary}".`;
  return new SqliteShellWriter(binary, version, options.busyTimeoutMs);
}

/**
 * Picks the engine that performs writes: the one asked for, or with `auto` the first available of
 * node:sqlite and the sqlite3 shell. Throws `no-writer` naming what would make writes possible.
 */
export async function selectWriter(options: WriterOptions = {}): Promise<WriterEngine> {
  const choice = options.engine ?? 'auto';
  const candidates = choice === 'auto' ? [nodeSqlite, shell] : [choice === 'node-sqlite' ? nodeSqlite : shell];
  const reasons: string[] = [];
  for (const candidate of candidates) {
    const result = await candidate(options);
    if (typeof result !== 'string') return result;
    reasons.push(result);
  }
  throw new WorkflowRunsError('no-writer', `No safe way to write to the database: ${reasons.join(' ')} ${HOW_TO_ENABLE}`);
}
