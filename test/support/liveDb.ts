import * as os from 'node:os';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';

export type Row = Record<string, string | number | null>;

/**
 * A database connection held open in a real `sqlite3` shell process (a different SQLite than the
 * sql.js under test). While it is open, commits stay in the `-wal` file: the shell neither
 * checkpoints (autocheckpoint is off) nor deletes the log.
 */
export class LiveDb {
  private readonly child: ChildProcessWithoutNullStreams;
  private stdout = '';
  private stderr = '';
  private seq = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private exited = false;
  private check: () => void = () => undefined;

  constructor(readonly path: string, options: { autocheckpoint?: boolean } = {}) {
    this.child = spawn('sqlite3', ['-init', os.devNull, '-batch', path], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.setEncoding('utf8').on('data', (d: string) => {
      this.stdout += d;
      this.check();
    });
    this.child.stderr.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.child.on('exit', () => {
      this.exited = true;
      this.check();
    });
    this.child.stdin.write('.mode json\n.timeout 5000\n');
    if (!options.autocheckpoint) this.child.stdin.write('PRAGMA wal_autocheckpoint = 0;\n');
  }

  /** Runs SQL (one or more statements) and returns the rows of the last statement that had any. */
  query(sql: string): Promise<Row[]> {
    const run = this.queue.then(() => this.send(sql));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async exec(sql: string): Promise<void> {
    await this.query(sql);
  }

  async scalar(sql: string): Promise<string | number | null> {
    const rows = await this.query(sql);
    const first = rows[0];
    return first ? Object.values(first)[0] : null;
  }

  private send(sql: string): Promise<Row[]> {
    const marker = `__done_${++this.seq}__`;
    this.stdout = '';
    this.stderr = '';
    this.child.stdin.write(`${sql.trim().replace(/;?$/, ';')}\nSELECT '${marker}' AS m;\n`);
    return new Promise((resolve, reject) => {
      this.check = () => {
        const at = this.stdout.indexOf(`"${marker}"`);
        if (at >= 0) {
          if (this.stderr.trim()) return reject(new Error(`sqlite3: ${this.stderr.trim()}`));
          const before = this.stdout.slice(0, this.stdout.lastIndexOf('\n', at) + 1).trim();
          const arrays = before ? before.split(/\n(?=\[)/).map((part) => JSON.parse(part) as Row[]) : [];
          return resolve(arrays.length ? arrays[arrays.length - 1] : []);
        }
        if (this.exited) reject(new Error(`sqlite3 exited: ${this.stderr.trim()}`));
      };
      this.check();
    });
  }

  /** Closes the connection (SQLite then checkpoints and removes the log). */
  close(): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.on('exit', () => resolve());
      this.child.stdin.end('.quit\n');
    });
  }

  /** Ends the process without a clean close, as a crash would: the log stays behind. */
  kill(): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.on('exit', () => resolve());
      this.child.kill('SIGKILL');
    });
  }
}
