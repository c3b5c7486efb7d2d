import * as os from 'node:os';
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';

export const CHURN_SCHEMA = `
CREATE TABLE IF NOT EXISTS churn_log (n INTEGER PRIMARY KEY, at TEXT DEFAULT (datetime('now')));
CREATE TABLE IF NOT EXISTS churn_meta (total INTEGER NOT NULL);
INSERT INTO churn_meta SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM churn_meta);
INSERT OR IGNORE INTO remote_agent_workflow_runs (id, conversation_id, workflow_name, user_message, status)
  VALUES ('churn-run', 'conv-1', 'churn-writer', 'background writer', 'running');
`;

const STATUSES = ['completed', 'failed', 'cancelled', 'running', 'paused', 'pending'];

/** The three numbers every commit keeps equal, as a query: a snapshot that sees them differ is torn. */
export function churnInvariantSql(rows: ChurnOptions['rows'] = 'events'): string {
  const added =
    rows === 'runs'
      ? `SELECT count(*) FROM remote_agent_workflow_runs WHERE workflow_name = 'churn'`
      : `SELECT count(*) FROM remote_agent_workflow_events WHERE workflow_run_id = 'churn-run'`;
  return `SELECT (SELECT count(*) FROM churn_log) AS log, (SELECT total FROM churn_meta) AS total, (${added}) AS added`;
}

export interface ChurnOptions {
  /** Checkpoint every N commits, in turn in each of `checkpointModes` (PASSIVE, RESTART, TRUNCATE by default). */
  checkpointEvery?: number;
  checkpointModes?: string[];
  /** Bytes of padding in each event. */
  padding?: number;
  /** Rows (log rows and events) per commit. */
  batch?: number;
  /** A pause between commits, as a server waiting on other work has; without it, full speed. */
  pauseMs?: number;
  /** What each row adds besides its log row: an event of the run `churn-run` (default), or a run of the workflow `churn`. */
  rows?: 'events' | 'runs';
}

/**
 * A third process that commits continuously through a real `sqlite3` shell: each transaction adds
 * log rows and as many events and bumps a counter by as many (so any snapshot must show three equal
 * numbers), then
 * prints an acknowledgement. Optionally it checkpoints every N commits, in turn copying frames into the main file
 * (PASSIVE), restarting the log (RESTART) and truncating it (TRUNCATE), or in the modes given.
 */
export class Churn {
  private acked = 0;
  /** Checkpoints that completed (busy = 0) and that were blocked by readers (busy = 1). */
  readonly checkpoints = { done: 0, blocked: 0 };
  private stopped = false;
  private readonly done: Promise<number | null>;
  private stderr = '';

  constructor(dbPath: string, options: ChurnOptions = {}) {
    const child = spawn('sqlite3', ['-init', os.devNull, '-batch', '-bail', dbPath], { stdio: ['pipe', 'pipe', 'pipe'] });
    let buffered = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      buffered += d;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const m = /^ack (\d+)$/.exec(line);
        if (m) this.acked = Math.max(this.acked, Number(m[1]));
        const checkpoint = /^([01])\|-?\d+\|-?\d+$/.exec(line);
        if (checkpoint) this.checkpoints[checkpoint[1] === '0' ? 'done' : 'blocked']++;
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.done = new Promise((resolve) => child.on('close', (code) => resolve(code)));
    const self = this;
    const pad = 'x'.repeat(options.padding ?? 200);
    const batch = options.batch ?? 1;
    const every = options.checkpointEvery;
    const modes = options.checkpointModes ?? ['PASSIVE', 'RESTART', 'TRUNCATE'];
    // Between writes a real server does other work. SQLite's locks are not fair: a writer that
    // re-takes the lock the instant it commits starves the others' busy handlers. Without a pause,
    // a moment of CPU work stands in for it ("full speed").
    const gap = `SELECT count(*) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000) SELECT x FROM c);`;
    async function* script(): AsyncGenerator<string> {
      yield '.timeout 5000\n';
      for (let n = 1, row = 0; !self.stopped; n++) {
        const rows = Array.from({ length: batch }, () => ++row);
        yield `BEGIN IMMEDIATE;
INSERT INTO churn_log (n) VALUES ${rows.map((r) => `(${r})`).join(', ')};
${
          options.rows === 'runs'
            ? `INSERT INTO remote_agent_workflow_runs (id, conversation_id, workflow_name, user_message, status, started_at) VALUES ${rows
                .map((r) => `('churn-${r}', 'conv-1', 'churn', '${pad}', '${STATUSES[r % STATUSES.length]}', datetime('now'))`)
                .join(', ')};`
            : `INSERT INTO remote_agent_workflow_events (id, workflow_run_id, event_type, data) VALUES ${rows
                .map((r) => `('churn-${r}', 'churn-run', 'node_progress', '{"n":${r},"pad":"${pad}"}')`)
                .join(', ')};`
        }
UPDATE churn_meta SET total = total + ${batch};
COMMIT;
SELECT 'ack ${n}';
${options.pauseMs ? '' : gap}
`;
        if (every && n % every === 0) yield `PRAGMA wal_checkpoint(${modes[(n / every) % modes.length]});\n`;
        if (options.pauseMs) await new Promise((r) => setTimeout(r, options.pauseMs));
      }
    }
    Readable.from(script(), { highWaterMark: 4 }).pipe(child.stdin);
  }

  get acknowledged(): number {
    return this.acked;
  }

  /**
   * Resolves once the writer has committed: from then on it holds the database open, so a WAL
   * database has its `-wal` (before that, nobody has it open and a reader goes unguarded on purpose).
   */
  async firstCommit(): Promise<void> {
    while (this.acked === 0 && !this.stopped) await new Promise((r) => setTimeout(r, 10));
  }

  /** Stops after the transaction in flight; resolves the highest acknowledged commit. */
  async stop(): Promise<number> {
    this.stopped = true;
    const code = await this.done;
    if (code !== 0) throw new Error(`churn writer failed (exit ${code}): ${this.stderr.trim()}`);
    return this.acked;
  }
}
