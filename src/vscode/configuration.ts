import * as os from 'node:os';
import * as vscode from 'vscode';
import type { EngineChoice } from '../core/sqlite/writers/writer';

const SECTION = 'workflowRuns';

function get<T>(key: string, fallback: T): T {
  return vscode.workspace.getConfiguration(SECTION).get<T>(key, fallback);
}

/** The configured database path with `~` and `${workspaceFolder}` expanded; undefined = Archon's own. */
export function databasePathSetting(): string | undefined {
  const raw = get('databasePath', '').trim();
  if (!raw) return undefined;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
  return raw.replace(/\$\{workspaceFolder\}/g, folder).replace(/^~(?=$|[\\/])/, os.homedir());
}

/** True when the database path in effect comes from a workspace's settings rather than the user's. */
export function databasePathChosenByWorkspace(): boolean {
  const inspected = vscode.workspace.getConfiguration(SECTION).inspect<string>('databasePath');
  return !!(inspected?.workspaceFolderValue?.trim() || inspected?.workspaceValue?.trim());
}

export type Scope = 'workspace' | 'all';
/** Which runs' changes notify: none, failures and gates (and interrupted runs), or completions too. */
export type Notifications = 'off' | 'failuresAndApprovals' | 'all';

export const config = {
  scope: (): Scope => (get<string>('scope', 'workspace') === 'all' ? 'all' : 'workspace'),
  runsPerGroup: (): number => Math.max(1, Math.floor(get('runsPerGroup', 25))),
  writerEngine: (): EngineChoice => get<EngineChoice>('writerEngine', 'auto'),
  sqlite3Path: (): string => get('sqlite3Path', 'sqlite3'),
  archonPath: (): string => get('archonPath', 'archon').trim() || 'archon',
  /** A PostgreSQL URL from the (machine) setting, or undefined. */
  databaseUrl: (): string | undefined => get('databaseUrl', '').trim() || undefined,
  pollIntervalMs: (): number => Math.max(0, get('pollIntervalSeconds', 5)) * 1000,
  notifications: (): Notifications => {
    const value = get<string>('notifications', 'failuresAndApprovals');
    return value === 'off' || value === 'all' ? value : 'failuresAndApprovals';
  },
  statusBar: (): boolean => get('statusBar', true),
  pageCacheMB: (): number => Math.max(8, get('pageCacheMB', 64)),
  largeDatabaseThresholdBytes: (): number => Math.max(0, get('largeDatabaseThresholdMB', 1024)) * 1024 * 1024,
  async setDatabasePath(value: string): Promise<void> {
    await vscode.workspace.getConfiguration(SECTION).update('databasePath', value, vscode.ConfigurationTarget.Global);
  },
  affects: (e: vscode.ConfigurationChangeEvent, key?: string) => e.affectsConfiguration(key ? `${SECTION}.${key}` : SECTION),
};
