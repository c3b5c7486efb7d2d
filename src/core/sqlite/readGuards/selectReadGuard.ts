import { loadNodeSqlite } from '../writers/nodeSqliteWriter';
import { probeSqliteShell } from '../writers/sqliteShellWriter';
import { NodeSqliteGuard } from './nodeSqliteGuard';
import type { GuardChoice, ReadGuard } from './readGuard';
import { SqliteShellGuard } from './sqliteShellGuard';

export interface GuardOptions {
  guard?: GuardChoice;
  /** The `sqlite3` shell to use when there is no node:sqlite; found on PATH by default. */
  sqlite3Path?: string;
}

/**
 * The engine that guards reads, feature-detected as the writers are: the one asked for, or with
 * `auto` node:sqlite where the runtime has it, else the sqlite3 shell. Undefined, with the reason,
 * when there is none: reads then go without a guard (see `SnapshotDatabase`).
 */
export async function selectReadGuard(options: GuardOptions = {}): Promise<{ guard?: ReadGuard; reason?: string }> {
  const choice = options.guard ?? 'auto';
  if (choice === 'none') return { reason: 'no read guard was asked for' };
  const reasons: string[] = [];
  if (choice !== 'sqlite3') {
    const sqlite = loadNodeSqlite();
    if (sqlite) return { guard: new NodeSqliteGuard(sqlite) };
    reasons.push(`node:sqlite is not in Node ${process.versions.node}`);
  }
  if (choice !== 'node-sqlite') {
    const binary = options.sqlite3Path?.trim() || 'sqlite3';
    const version = await probeSqliteShell(binary);
    if (version) return { guard: new SqliteShellGuard(binary, version) };
    reasons.push(`no usable sqlite3 shell at "${binary}"`);
  }
  return { reason: reasons.join('; ') };
}
