import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, tempDir } from './fixtures';

/** test/fixtures/real-archon: rows and files Archon's real CLI wrote (see its README). */
export const REAL_ARCHON = path.join(REPO_ROOT, 'test', 'fixtures', 'real-archon');

/** The fixture's runs by the short ids its README uses. */
export const REAL_RUNS = {
  approved: 'c691845d-e2d0-41c7-af6d-48cbc6aa0877',
  rejected: '1ab89c55-635b-4f77-a6d6-6995f07aca3f',
  fanInFailed: '2d9a754b-1e13-48af-aa28-afe4cc46c788',
  fanInResumed: '89112ddf-9c8b-42bd-ba80-94e4dc2535eb',
  decided: 'e6c4b3e6-2ee4-41a5-bc83-4c63adf73005',
  bigOutput: '185d0871-c55b-4a18-9caa-ef6d4f8a1061',
  choosing: 'daf310c5-b6b6-42ac-af2c-98021951254d',
  worktreePaused: 'ce5d084d-b97e-4e6c-9c91-b567a1c73718',
  killed: '1b3695e8-5064-42a7-8585-7ad80a1a8fdd',
} as const;

/**
 * A copy of the fixture's Archon home in a temporary folder: its files, and `archon.db` made from
 * the dump (WAL mode, as Archon keeps it). Its recorded paths stay the writer's, so every file a
 * run names must be found by moving the path onto this home.
 */
export function copyRealArchon(): { home: string; dbPath: string } {
  const home = path.join(tempDir(), 'home');
  fs.cpSync(path.join(REAL_ARCHON, 'home'), home, { recursive: true });
  const dbPath = path.join(home, 'archon.db');
  execFileSync('sqlite3', ['-init', os.devNull, '-batch', dbPath], { input: `${fs.readFileSync(path.join(REAL_ARCHON, 'archon.sql'), 'utf8')}\nPRAGMA journal_mode=WAL;\n`, stdio: ['pipe', 'ignore', 'pipe'] });
  return { home, dbPath };
}
