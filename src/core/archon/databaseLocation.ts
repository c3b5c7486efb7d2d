import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DatabaseTarget } from '../database';

export type Env = Record<string, string | undefined>;

export function expandHome(p: string, home = os.homedir()): string {
  if (p === '~') return home;
  if (p.startsWith('~/') || p.startsWith('~\\')) return path.join(home, p.slice(2));
  return p;
}

function isDocker(env: Env): boolean {
  return (
    env.ARCHON_DOCKER === 'true' ||
    env.WORKSPACE_PATH === '/workspace' ||
    (env.HOME === '/root' && !!env.WORKSPACE_PATH)
  );
}

export function archonHome(env: Env = process.env): { dir: string; source: string } {
  if (isDocker(env)) return { dir: '/.archon', source: 'Docker' };
  if (env.ARCHON_HOME) return { dir: path.resolve(expandHome(env.ARCHON_HOME)), source: 'ARCHON_HOME' };
  return { dir: path.join(os.homedir(), '.archon'), source: '~/.archon' };
}

/**
 * The Archon home a database belongs to, where a run's recorded paths are moved onto when they are
 * not on this machine (see `workflows/pathRebase.ts`): the SQLite file's own folder (Archon keeps
 * `archon.db` in its home), or, for PostgreSQL, which has no file, Archon's home as Archon resolves it.
 */
export function archonHomeOf(target: DatabaseTarget, env: Env = process.env): string {
  return target.engine === 'sqlite' ? path.dirname(target.dbPath) : archonHome(env).dir;
}

/** Reads `KEY=value` lines of a dotenv file; a missing or unreadable file yields nothing. */
export function readDotEnv(file: string): Env {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  const out: Env = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m) continue;
    let value = m[2];
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    else value = value.replace(/\s+#.*$/, '');
    out[m[1]] = value;
  }
  return out;
}

const FROM_ENVIRONMENT = 'the DATABASE_URL environment variable';

/**
 * Archon's own `DATABASE_URL`, as Archon decides it (packages/paths/src/env-loader.ts): the
 * environment's, then `<ARCHON_HOME>/.env`, then `<cwd>/.archon/.env`, each file loaded with
 * dotenv's `override`, so the last place that sets it wins, an empty value included (Archon then
 * uses SQLite). `source` names that place; undefined when none sets it.
 */
export function archonDatabaseUrl(env: Env, home: string, cwd: string | undefined): { url: string; source: string } | undefined {
  let found = env.DATABASE_URL === undefined ? undefined : { url: env.DATABASE_URL.trim(), source: FROM_ENVIRONMENT };
  const files = [path.join(home, '.env')];
  if (cwd) files.push(path.join(cwd, '.archon', '.env'));
  for (const file of files) {
    const url = readDotEnv(file).DATABASE_URL;
    if (url !== undefined) found = { url: url.trim(), source: file };
  }
  return found;
}

/**
 * The file SQLite really opens, with symbolic links resolved (to the file, or to a folder on its
 * path): SQLite keeps `-wal`, `-shm` and `-journal` beside the target, so every name built from the
 * path must start from it. A path that does not exist is kept as it is.
 */
export function realDatabasePath(file: string): string {
  try {
    return fs.realpathSync.native(file);
  } catch {
    return file;
  }
}

export interface LocateOptions {
  /** A SQLite file chosen by the person (a setting, `--db`): it wins. */
  explicitPath?: string;
  /** A PostgreSQL URL chosen by the person (a setting, a stored secret, `--database-url`): next. */
  databaseUrl?: string;
  env?: Env;
  /** The project folder, whose `.archon/.env` Archon reads too (left out where it is not trusted). */
  cwd?: string;
}

/**
 * Which database holds the runs, resolved the way Archon does: an explicit SQLite path, else an
 * explicit PostgreSQL URL, else Archon's own `DATABASE_URL` (see `archonDatabaseUrl`), else
 * `<ARCHON_HOME>/archon.db` with links resolved (see `realDatabasePath`). When a `.env` file chose
 * SQLite by an empty `DATABASE_URL`, that file is the source.
 */
export function locateDatabase(options: LocateOptions = {}): DatabaseTarget {
  const env = options.env ?? process.env;
  if (options.explicitPath?.trim()) {
    return { engine: 'sqlite', dbPath: realDatabasePath(path.resolve(expandHome(options.explicitPath.trim()))), source: 'explicit path' };
  }
  if (options.databaseUrl?.trim()) return { engine: 'postgres', url: options.databaseUrl.trim(), source: 'explicit URL' };
  const home = archonHome(env);
  const archon = archonDatabaseUrl(env, home.dir, options.cwd);
  if (archon?.url) return { engine: 'postgres', ...archon };
  const source = archon && archon.source !== FROM_ENVIRONMENT ? archon.source : home.source;
  return { engine: 'sqlite', dbPath: realDatabasePath(path.join(home.dir, 'archon.db')), source };
}
