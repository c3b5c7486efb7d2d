import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Where Archon keeps its data, resolved the way Archon itself does. */
export interface DatabaseLocation {
  /** Absolute path of the SQLite file (it may not exist). */
  dbPath: string;
  /** How the path was chosen, for messages: "--db", "setting", "ARCHON_HOME", "~/.archon", "Docker". */
  source: string;
  /** Set when Archon is configured for PostgreSQL: then the SQLite file is not the live database. */
  postgresConfiguredIn?: string;
}

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

/** Where, if anywhere, Archon is told to use PostgreSQL (`DATABASE_URL`). */
export function postgresSetting(env: Env, home: string, cwd: string | undefined): string | undefined {
  if (env.DATABASE_URL?.trim()) return 'the DATABASE_URL environment variable';
  const files = [path.join(home, '.env')];
  if (cwd) files.push(path.join(cwd, '.archon', '.env'));
  for (const file of files) {
    if (readDotEnv(file).DATABASE_URL?.trim()) return file;
  }
  return undefined;
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

/**
 * An explicit path wins (tilde expanded); otherwise `<ARCHON_HOME>/archon.db`, with a note when
 * Archon is configured for PostgreSQL instead. Links are resolved (see `realDatabasePath`).
 */
export function locateDatabase(options: { explicitPath?: string; env?: Env; cwd?: string } = {}): DatabaseLocation {
  const env = options.env ?? process.env;
  if (options.explicitPath?.trim()) {
    return { dbPath: realDatabasePath(path.resolve(expandHome(options.explicitPath.trim()))), source: 'explicit path' };
  }
  const home = archonHome(env);
  return {
    dbPath: realDatabasePath(path.join(home.dir, 'archon.db')),
    source: home.source,
    postgresConfiguredIn: postgresSetting(env, home.dir, options.cwd),
  };
}
