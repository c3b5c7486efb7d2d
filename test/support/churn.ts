import * as os from 'node:os';
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';

export const CHURN_SCHEMA = `
CREATE TABLE IF NOT EXISTS churn_log (n INTEGER PRIMARY KEY, at TEXT DEFAULT (datetime('now')));
CREATE TABLE IF NOT EXISTS churn_meta (total INTEGER NOT NULL);
INSERT INTO churn_meta SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM churn_meta);
INSERT OR IGNORE INTO remote_agent_workflow_runs (id, conversation_id, workflow_name, user_message, status)
  VALUES ('churn-run', 'conv-1', 'churn', 'background writer', 'running');
`;

/**
 * A third process that commits continuously through a real `sqlite3` shell: each transaction adds a
 * log row and an event and bumps a counter (so any snapshot must show three equal numbers), then
 * prints an acknowledgement. Optionally it checkpoints every N commits, in turn copying frames into the main file
 * (PASSIVE), restarting the log (RESTART) and truncating it (TRUNCATE).
 */
export class Churn {
  private acked = 0;
  private stopped = false;
  private readonly done: Promise<number | null>;
  private stderr = '';

  constructor(dbPath: string, options: { checkpointEvery?: number; padding?: number } = {}) {
    const child = spawn('sqlite3', ['-init', os.devNull, '-batch', '-bail', dbPath], { stdio: ['pipe', 'pipe', 'pipe'] });
    let buffered = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      buffered += d;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const m = /^ack (\d+)$/.exec(line);
        if (m) this.acked = Math.max(this.acked, Number(m[1]));
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.done = new Promise((resolve) => child.on('close', (code) => resolve(code)));
    const self = this;
    const pad = 'x'.repeat(options.padding ?? 200);
    // A moment of work outside any transaction, as a real server has between writes. SQLite's
    // locks are not fair: a writer that re-takes the lock the instant it commits starves the
    // others' busy handlers.
    const gap = `SELECT count(*) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000) SELECT x FROM c);`;
    function* script(): Generator<string> {
      yield '.timeout 5000\n';
      for (let n = 1; !self.stopped; n++) {
        yield `BEGIN IMMEDIATE;
INSERT INTO churn_log (n) VALUES (${n});
INSERT INTO remote_agent_workflow_events (id, workflow_run_id, event_type, data) VALUES ('churn-${n}', 'churn-run', 'node_progress', '{"n":${n},"pad":"${pad}"}');
UPDATE churn_meta SET total = total + 1;
COMMIT;
SELECT 'ack ${n}';
${gap}
`;
        const every = options.checkpointEvery;
        if (every && n % every === 0) yield `PRAGMA wal_checkpoint(${['PASSIVE', 'RESTART', 'TRUNCATE'][(n / every) % 3]});\n`;
      }
    }
    Readable.from(script(), { highWaterMark: 4 }).pipe(child.stdin);
  }

  get acknowledged(): number {
    return this.acked;
  }

  /** Stops after the transaction in flight; resolves the highest acknowledged commit. */
  async stop(): Promise<number> {
    this.stopped = true;
    const code = await this.done;
    if (code !== 0) throw new Error(`churn writer failed (exit ${code}): ${this.stderr.trim()}`);
    return this.acked;
  }
}
