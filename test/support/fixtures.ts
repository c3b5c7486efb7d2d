import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LiveDb } from './liveDb';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const CURRENT_SCHEMA = fs.readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'archon-schema.sql'), 'utf8');
export const OLD_SCHEMA = fs.readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'archon-schema-v0.2.sql'), 'utf8');

/** A SQL literal, for building test data (the product itself only binds parameters). */
export function lit(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') return String(value);
  return `'${value.replace(/'/g, "''")}'`;
}

export function newId(): string {
  return randomBytes(16).toString('hex');
}

const dirs: string[] = [];

export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wr-test-'));
  dirs.push(dir);
  return dir;
}

export function cleanupTempDirs(): void {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

export interface RunSeed {
  id?: string;
  status?: string;
  workflow_name?: string;
  user_message?: string | null;
  conversation_id?: string;
  codebase_id?: string | null;
  metadata?: string | null;
  /** SQL expressions, e.g. "datetime('now', '-2 hours')". */
  started_at?: string;
  last_activity_at?: string;
  completed_at?: string;
  working_path?: string | null;
  parent_run_id?: string | null;
  outcome?: string | null;
}

/** An Archon database in WAL mode, held open by a `sqlite3` process so commits stay in the log. */
export async function archonDb(options: { schema?: string; file?: string } = {}): Promise<LiveDb> {
  const file = options.file ?? path.join(tempDir(), 'archon.db');
  const db = new LiveDb(file);
  await db.exec(options.schema ?? CURRENT_SCHEMA);
  return db;
}

export function insertRunSql(seed: RunSeed, columns?: Set<string>): string {
  const values: Record<string, string> = {
    id: lit(seed.id ?? newId()),
    conversation_id: lit(seed.conversation_id ?? 'conv-1'),
    codebase_id: lit(seed.codebase_id ?? null),
    workflow_name: lit(seed.workflow_name ?? 'archon-fix-github-issue'),
    user_message: lit(seed.user_message === undefined ? 'Fix the flaky test' : seed.user_message),
    status: lit(seed.status ?? 'failed'),
    metadata: seed.metadata === null ? 'NULL' : lit(seed.metadata ?? '{}'),
    started_at: seed.started_at ?? "datetime('now', '-1 hour')",
    last_activity_at: seed.last_activity_at ?? "datetime('now', '-30 minutes')",
    completed_at: seed.completed_at ?? 'NULL',
    working_path: lit(seed.working_path ?? null),
  };
  if (seed.parent_run_id !== undefined) values.parent_run_id = lit(seed.parent_run_id);
  if (seed.outcome !== undefined) values.outcome = lit(seed.outcome);
  const keys = Object.keys(values).filter((k) => !columns || columns.has(k));
  return `INSERT INTO remote_agent_workflow_runs (${keys.join(', ')}) VALUES (${keys.map((k) => values[k]).join(', ')})`;
}

export async function insertRun(db: LiveDb, seed: RunSeed = {}): Promise<string> {
  const id = seed.id ?? newId();
  await db.exec(insertRunSql({ ...seed, id }));
  return id;
}

export async function runRow(db: LiveDb, id: string): Promise<Record<string, string | number | null> | undefined> {
  return (await db.query(`SELECT * FROM remote_agent_workflow_runs WHERE id = ${lit(id)}`))[0];
}
