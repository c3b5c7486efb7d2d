import { execFile, spawn } from 'node:child_process';
import * as os from 'node:os';
import { WorkflowRunsError } from '../../model/errors';
import { BUSY_TIMEOUT_MS, busy, type ResultRow, RUN_GRACE_MS, uncertain, type WriterEngine, type WriteScript } from './writer';

/** The oldest shell with `.parameter` (3.30), `.mode json` (3.33) and built-in JSON functions (3.38). */
const MIN_MINOR = 38;

/**
 * How every shell we start begins: never the user's `~/.sqliterc` (its `.changes on` or `.timer on`
 * would add output to parse), in batch mode.
 */
export function shellArgs(...rest: string[]): string[] {
  return ['-init', os.devNull, '-batch', ...rest];
}

/** Asks `sqlite3 -version`; resolves the version string, or undefined when there is no usable shell. */
export function probeSqliteShell(binary: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(binary, ['-init', os.devNull, '-version'], { timeout: 5000 }, (err, stdout) => {
      const m = /^(\d+)\.(\d+)\.\d+/m.exec(stdout ?? '');
      const ok = !err && m && (Number(m[1]) > 3 || (Number(m[1]) === 3 && Number(m[2]) >= MIN_MINOR));
      resolve(ok ? m[0] : undefined);
    });
  });
}

/** A value as the shell's `.parameter set` reads it: numbers as is, text as a hex blob cast to text. */
function shellValue(value: string | number | null): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot bind ${value}`);
    return String(value);
  }
  // Hex digits only: no quoting or escaping can go wrong, whatever the text holds.
  return `"CAST(X'${Buffer.from(value, 'utf8').toString('hex')}' AS TEXT)"`;
}

/**
 * A URI naming the file with every byte but unreserved ones percent-encoded, so that nothing in a
 * path (quotes, spaces, `?`, `#`) can be read as anything else; `mode` `rw` never creates a file.
 */
export function fileUri(dbPath: string, mode: 'rw' | 'ro'): string {
  const slashed = dbPath.replace(/\\/g, '/');
  const encoded = Array.from(Buffer.from(slashed.startsWith('/') ? slashed : `/${slashed}`, 'utf8'))
    .map((b) => (/[A-Za-z0-9\-._~/:]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
  return `file:${encoded}?mode=${mode}`;
}

const BUSY = /database is locked|database is busy|\((5|6)\)$/m;
const RESULT = '__wr_result__';
const COMMITTED = '__wr_committed__';

/** The marker lines the script prints, in list mode: one line each, whatever else the shell prints. */
function marker(name: string): string[] {
  return ['.mode list', `SELECT '${name}';`, '.mode json'];
}

/**
 * Writes through the `sqlite3` command-line shell: `-batch -bail`, `.timeout`, `BEGIN IMMEDIATE`,
 * parameters bound with `.parameter set`, the result read back as JSON between two marker lines.
 * Whatever the shell does, the promise settles: a shell that runs too long is stopped, and an end
 * that leaves unknown whether the commit happened is reported as `uncertain`.
 */
export class SqliteShellWriter implements WriterEngine {
  readonly name = 'sqlite3' as const;
  readonly description: string;

  constructor(
    private readonly binary: string,
    version: string,
    private readonly busyTimeoutMs = BUSY_TIMEOUT_MS,
    /** How long the shell may run in all before it is stopped. */
    private readonly runLimitMs = busyTimeoutMs + RUN_GRACE_MS,
  ) {
    this.description = `sqlite3 shell ${version} (${binary})`;
  }

  run(dbPath: string, script: WriteScript): Promise<ResultRow[]> {
    const params = new Map<string, string | number | null>();
    for (const statement of [...script.statements, script.result]) {
      for (const [key, value] of Object.entries(statement.params)) params.set(key, value);
    }
    const lines = [
      `.timeout ${Math.round(this.busyTimeoutMs)}`,
      '.headers off',
      '.mode json',
      ...[...params].map(([key, value]) => `.parameter set :${key} ${shellValue(value)}`),
      'BEGIN IMMEDIATE;',
      ...script.statements.map((s) => `${s.sql};`),
      ...marker(RESULT),
      `${script.result.sql};`,
      'COMMIT;',
      ...marker(COMMITTED),
    ];
    return new Promise((resolve, reject) => {
      // -bail: stop at the first error, which ends the process and so rolls the transaction back.
      const child = spawn(this.binary, shellArgs('-bail', fileUri(dbPath, 'rw')), { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
        // Anything it started may hold the pipes open; 'close' must come all the same.
        child.stdout.destroy();
        child.stderr.destroy();
      }, this.runLimitMs);
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(new WorkflowRunsError('write-failed', `sqlite3: ${err.message}`));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        try {
          resolve(settle(dbPath, { code, signal, timedOut, stdout, stderr }, this.runLimitMs));
        } catch (err) {
          reject(err);
        }
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(lines.join('\n') + '\n');
    });
  }
}

interface ShellEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/**
 * What the shell's end means. Only a clean exit after both markers is a commit whose result we
 * know. Where the commit may or may not have happened (stopped, killed, output we cannot read),
 * the answer is `uncertain`: the caller re-reads the run before saying anything.
 */
function settle(dbPath: string, end: ShellEnd, limitMs: number): ResultRow[] {
  const lines = end.stdout.split(/\r?\n/);
  const result = lines.indexOf(RESULT);
  const committed = lines.indexOf(COMMITTED);
  const detail = end.stderr.trim().split('\n').pop() || (end.signal ? `stopped by ${end.signal}` : `exit code ${end.code}`);
  if (end.code === 0 && result >= 0 && committed > result) {
    const rows = parseRows(lines.slice(result + 1, committed).join('\n'));
    if (rows) return rows;
    throw uncertain(`sqlite3 committed, but its result could not be read`);
  }
  if (end.code === null || end.timedOut) {
    // Killed: its output may not have been flushed, so even a missing marker proves nothing.
    throw uncertain(end.timedOut ? `sqlite3 did not finish within ${(limitMs / 1000).toFixed(1)} s and was stopped` : `sqlite3 was ${detail}`);
  }
  if (end.code === 0) throw uncertain('sqlite3 ended without confirming its commit');
  // -bail: the shell stopped at an error and exited, which rolled back the open transaction.
  if (/unable to open database/.test(end.stderr)) throw new WorkflowRunsError('no-database', `Cannot open ${dbPath}: ${detail}`);
  if (BUSY.test(end.stderr)) throw busy();
  throw new WorkflowRunsError('write-failed', `sqlite3: ${detail}`);
}

/** The JSON array the shell printed for the result statement (nothing when it had no rows). */
function parseRows(text: string): ResultRow[] | undefined {
  const start = text.indexOf('[');
  const end = text.lastIndexOf(']');
  if (start < 0 || end < start) return text.trim() ? undefined : [];
  try {
    const rows: unknown = JSON.parse(text.slice(start, end + 1));
    return Array.isArray(rows) ? (rows as ResultRow[]) : undefined;
  } catch {
    return undefined;
  }
}
