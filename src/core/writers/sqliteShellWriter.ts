import { execFile, spawn } from 'node:child_process';
import { WorkflowRunsError } from '../errors';
import { BUSY_TIMEOUT_MS, type ResultRow, type WriterEngine, type WriteScript } from './writer';

/** The oldest shell with `.parameter` (3.30), `.mode json` (3.33) and built-in JSON functions (3.38). */
const MIN_MINOR = 38;

/** Asks `sqlite3 -version`; resolves the version string, or undefined when there is no usable shell. */
export function probeSqliteShell(binary: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(binary, ['-version'], { timeout: 5000 }, (err, stdout) => {
      const m = /^(\d+)\.(\d+)\.\d+/.exec(stdout ?? '');
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

/** A URI that opens an existing file read-write and never creates one. */
function fileUri(dbPath: string): string {
  const encoded = dbPath.replace(/[%?#]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `file:${encoded.startsWith('/') ? '' : '/'}${encoded.replace(/\\/g, '/')}?mode=rw`;
}

const BUSY = /database is locked|database is busy|\((5|6)\)$/m;

/**
 * Writes through the `sqlite3` command-line shell: `-batch -bail`, `.timeout`, `BEGIN IMMEDIATE`,
 * parameters bound with `.parameter set`, the result read back as JSON.
 */
export class SqliteShellWriter implements WriterEngine {
  readonly name = 'sqlite3' as const;
  readonly description: string;

  constructor(
    private readonly binary: string,
    version: string,
    private readonly busyTimeoutMs = BUSY_TIMEOUT_MS,
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
      '.mode json',
      ...[...params].map(([key, value]) => `.parameter set :${key} ${shellValue(value)}`),
      'BEGIN IMMEDIATE;',
      ...script.statements.map((s) => `${s.sql};`),
      `SELECT '__result__' AS marker;`,
      `${script.result.sql};`,
      'COMMIT;',
    ];
    return new Promise((resolve, reject) => {
      const child = spawn(this.binary, ['-batch', '-bail', fileUri(dbPath)], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', (err) => reject(new WorkflowRunsError('write-failed', `sqlite3: ${err.message}`)));
      child.on('close', (code) => {
        const reached = stdout.indexOf('"__result__"');
        if (code === 0 && reached >= 0) return resolve(parseRows(stdout.slice(stdout.indexOf('\n', reached) + 1)));
        const detail = stderr.trim().split('\n').pop() ?? `exit code ${code}`;
        if (reached < 0 && /unable to open database/.test(stderr)) {
          return reject(new WorkflowRunsError('no-database', `Cannot open ${dbPath}: ${detail}`));
        }
        // Before the result the transaction was still open, so the shell's exit rolled it back.
        if (reached < 0 && BUSY.test(stderr)) {
          return reject(new WorkflowRunsError('busy', 'The database is busy (another process holds its write lock); nothing changed. Retry.'));
        }
        reject(
          new WorkflowRunsError(
            'write-failed',
            reached < 0 ? `sqlite3: ${detail}` : `sqlite3 failed while committing (${detail}); re-read the run before trusting its status.`,
          ),
        );
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(lines.join('\n') + '\n');
    });
  }
}

function parseRows(text: string): ResultRow[] {
  const trimmed = text.trim();
  if (!trimmed) return [];
  return JSON.parse(trimmed) as ResultRow[];
}
