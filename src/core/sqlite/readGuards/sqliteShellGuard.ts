import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { WorkflowRunsError } from '../../model/errors';
import { fileUri, shellArgs } from '../writers/sqliteShellWriter';
import { GUARD_BUSY_TIMEOUT_MS, type GuardLease, type ReadGuard, readBusy } from './readGuard';

/** How long the shell may take to answer beyond the busy timeout before it is stopped. */
const ANSWER_GRACE_MS = 5000;
const BUSY = /database is locked|database is busy/;

/**
 * A read guard through a long-lived `sqlite3` shell, for runtimes without node:sqlite. The process
 * stays between reads but holds no database: each read `.open`s the file read-only, begins a
 * transaction and reads, and its release ends the transaction and opens `:memory:` instead.
 */
export class SqliteShellGuard implements ReadGuard {
  readonly name = 'sqlite3' as const;
  readonly description: string;
  private child: ChildProcessWithoutNullStreams | undefined;
  private lines: string[] = [];
  private stderr = '';
  private wake: (() => void) | undefined;
  private seq = 0;

  constructor(
    private readonly binary: string,
    version: string,
    private readonly busyTimeoutMs = GUARD_BUSY_TIMEOUT_MS,
  ) {
    this.description = `sqlite3 shell ${version} (${binary})`;
  }

  async acquire(dbPath: string): Promise<GuardLease> {
    const n = ++this.seq;
    this.stderr = '';
    const answer = await this.send(
      [
        `.open ${fileUri(dbPath, 'ro')}`,
        `.timeout ${Math.round(this.busyTimeoutMs)}`,
        'BEGIN;',
        // Printed only with the file itself open (a failed .open leaves an in-memory database) and read.
        `SELECT 'wr_guard_held_${n}' FROM (SELECT count(*) FROM sqlite_master), pragma_database_list WHERE name = 'main' AND file <> '';`,
        `SELECT 'wr_guard_end_${n}';`,
      ],
      `wr_guard_end_${n}`,
    );
    if (!answer.includes(`wr_guard_held_${n}`)) {
      await this.stderrSaid();
      const reason = this.stderr.trim().split('\n').pop() || 'no answer';
      await this.end(n);
      if (BUSY.test(this.stderr)) throw readBusy(dbPath);
      throw new WorkflowRunsError('unstable', `the sqlite3 shell cannot guard the read (${reason})`);
    }
    return { release: () => this.end(n) };
  }

  /** Ends the read transaction (if any) and lets go of the file. */
  private async end(n: number): Promise<void> {
    await this.send(['ROLLBACK;', '.open :memory:', `SELECT 'wr_guard_free_${n}';`], `wr_guard_free_${n}`);
  }

  /** Writes `script` and resolves the lines it printed, up to and including `marker`. */
  private async send(script: string[], marker: string): Promise<string[]> {
    const child = this.start();
    child.ref();
    child.stdin.write(script.join('\n') + '\n');
    const deadline = Date.now() + this.busyTimeoutMs + ANSWER_GRACE_MS;
    try {
      for (;;) {
        const at = this.lines.indexOf(marker);
        if (at >= 0) return this.lines.splice(0, at + 1);
        if (this.child !== child) throw new WorkflowRunsError('unstable', `the sqlite3 shell stopped (${this.stderr.trim() || 'no message'})`);
        if (Date.now() > deadline) {
          this.dispose();
          throw new WorkflowRunsError('unstable', 'the sqlite3 shell did not answer in time and was stopped');
        }
        await this.nap();
      }
    } finally {
      if (this.child === child) child.unref();
    }
  }

  /**
   * Waits for the shell's error: a statement that failed always says why on stderr, which may
   * reach us after the stdout written after it. At most a second (a shell that stopped says nothing).
   */
  private async stderrSaid(): Promise<void> {
    for (const until = Date.now() + 1000; !this.stderr && this.child && Date.now() < until; ) await this.nap();
  }

  /** Until the shell prints something, stops, or 100 ms pass. */
  private nap(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wake = resolve;
      setTimeout(resolve, 100);
    });
  }

  private start(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    // Without -bail: a read it cannot guard is an answer, not the end of the process.
    const child = spawn(this.binary, shellArgs(':memory:'), { stdio: ['pipe', 'pipe', 'pipe'] });
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      const lines = (partial + d).split(/\r?\n/);
      partial = lines.pop()!;
      this.lines.push(...lines);
      this.wake?.();
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      this.stderr += d;
      this.wake?.();
    });
    child.stdin.on('error', () => undefined);
    child.on('error', (err) => (this.stderr += err.message));
    child.on('close', () => {
      if (this.child === child) this.child = undefined;
      this.wake?.();
    });
    // Idle between reads: a command-line process must not wait for it to exit.
    for (const stream of [child.stdout, child.stderr, child.stdin]) (stream as unknown as Socket).unref();
    this.child = child;
    this.lines = [];
    return child;
  }

  dispose(): void {
    this.child?.kill();
    this.child = undefined;
  }
}
