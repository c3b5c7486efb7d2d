#!/usr/bin/env node
// Simulates the Archon server holding the database open (Node >= 22.13: node:sqlite).
//   node scripts/bench/openWriter.js <dbPath>
// Prints "ready", then answers one JSON line per JSON command line on stdin:
//   {"op":"set-status","id":"<runId>","status":"<s>"}  -> {"ok":true,"changes":N}
//   {"op":"pick","status":"<s>"}                         -> {"ok":true,"id":"<newest run with it>"} (null if none)
//   {"op":"pick","status":"<s>","oldest":true}           -> the oldest run with it instead
//   {"op":"checkpoint"}                                  -> {"ok":true,"result":[busy,log,checkpointed]}
// On stdin end it exits without closing the database, so its commits stay in the -wal.
'use strict';
const { DatabaseSync } = require('node:sqlite');
const readline = require('node:readline');

const db = new DatabaseSync(process.argv[2]);
db.exec('PRAGMA busy_timeout = 5000; PRAGMA wal_autocheckpoint = 0');
const setStatus = db.prepare("UPDATE remote_agent_workflow_runs SET status = ?, last_activity_at = datetime('now') WHERE id = ?");
const pick = db.prepare('SELECT id FROM remote_agent_workflow_runs WHERE status = ? ORDER BY started_at DESC LIMIT 1');
const pickOldest = db.prepare('SELECT id FROM remote_agent_workflow_runs WHERE status = ? ORDER BY started_at ASC LIMIT 1');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(TRUNCATE)');

const ops = {
  'set-status': (c) => ({ changes: Number(setStatus.run(c.status, c.id).changes) }),
  pick: (c) => ({ id: (c.oldest ? pickOldest : pick).get(c.status)?.id ?? null }),
  checkpoint: () => ({ result: Object.values(checkpoint.get()) }),
};

process.stdout.write('ready\n');
readline
  .createInterface({ input: process.stdin })
  .on('line', (line) => {
    if (!line.trim()) return;
    let answer;
    try {
      const cmd = JSON.parse(line);
      if (!ops[cmd.op]) throw new Error(`unknown op ${cmd.op}`);
      answer = { ok: true, ...ops[cmd.op](cmd) };
    } catch (err) {
      answer = { ok: false, error: err.message };
    }
    process.stdout.write(JSON.stringify(answer) + '\n');
  })
  .on('close', () => process.exit(0));
