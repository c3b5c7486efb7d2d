#!/usr/bin/env node
// A busy Archon at full speed, for `reads_under_churn` (Node >= 22.13: node:sqlite).
//   node scripts/bench/churnWriter.js <dbPath> <durationMs>
// Commits 10-run batches of about 1.2 KB a run, nonstop, and checkpoints every 20 commits, in turn
// PASSIVE, RESTART and TRUNCATE. Each commit keeps three numbers equal (see INVARIANT in bench.js):
// the rows of churn_log, churn_meta.total and the runs of the workflow 'churn'. Prints one JSON
// line with what it did.
'use strict';
const { DatabaseSync } = require('node:sqlite');
const crypto = require('node:crypto');

const [dbPath, durationMs] = process.argv.slice(2);
const db = new DatabaseSync(dbPath);
db.exec(`PRAGMA busy_timeout = 5000;
  CREATE TABLE IF NOT EXISTS churn_log (n INTEGER PRIMARY KEY);
  CREATE TABLE IF NOT EXISTS churn_meta (total INTEGER NOT NULL);
  INSERT INTO churn_meta SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM churn_meta);
  INSERT OR IGNORE INTO remote_agent_conversations (id, platform_type, platform_conversation_id) VALUES ('churn-conversation', 'cli', 'churn');`);
const STATUSES = ['completed', 'failed', 'cancelled', 'running', 'paused', 'pending'];
const addRun = db.prepare(
  `INSERT INTO remote_agent_workflow_runs (id, conversation_id, workflow_name, user_message, status, metadata, started_at, last_activity_at)
   VALUES (?, 'churn-conversation', 'churn', ?, ?, '{}', datetime('now'), datetime('now'))`,
);
const addLog = db.prepare('INSERT INTO churn_log DEFAULT VALUES');
const bump = db.prepare('UPDATE churn_meta SET total = total + 10');
const MODES = ['PASSIVE', 'RESTART', 'TRUNCATE'];
const pad = 'x'.repeat(1100);
const done = { commits: 0, checkpoints: { done: 0, blocked: 0 } };
const until = Date.now() + Number(durationMs);
while (Date.now() < until) {
  db.exec('BEGIN IMMEDIATE');
  for (let i = 0; i < 10; i++) {
    addRun.run(crypto.randomBytes(16).toString('hex'), pad, STATUSES[(done.commits + i) % STATUSES.length]);
    addLog.run();
  }
  bump.run();
  db.exec('COMMIT');
  done.commits++;
  if (done.commits % 20 === 0) {
    const [busy] = Object.values(db.prepare(`PRAGMA wal_checkpoint(${MODES[(done.commits / 20) % 3]})`).get());
    done.checkpoints[busy ? 'blocked' : 'done']++;
  }
}
db.close();
process.stdout.write(JSON.stringify(done) + '\n');
