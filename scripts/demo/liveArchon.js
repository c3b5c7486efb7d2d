#!/usr/bin/env node
// Keeps the demo database alive like a running Archon (Node >= 22.13: node:sqlite):
//   node scripts/demo/liveArchon.js <dbPath>
// Every 5 s the live runs heartbeat and the PR validation logs a tool call. After a minute that run
// stops at an approval gate (shaped as Archon's pauseWorkflowRun writes it), so that the status
// bar, the badge and a notification show what waits on the person. Ends when stdin closes.
'use strict';
const { DatabaseSync } = require('node:sqlite');
const crypto = require('node:crypto');

const db = new DatabaseSync(process.argv[2]);
db.exec('PRAGMA busy_timeout = 5000; PRAGMA wal_autocheckpoint = 0');
const heartbeat = db.prepare("UPDATE remote_agent_workflow_runs SET last_activity_at = datetime('now') WHERE status = 'running' AND last_activity_at > datetime('now', '-1 hour')");
const validating = db.prepare("SELECT id FROM remote_agent_workflow_runs WHERE workflow_name = 'archon-validate-pr' AND status = 'running'");
const event = db.prepare("INSERT INTO remote_agent_workflow_events (id, workflow_run_id, event_type, step_name, data) VALUES (?, ?, ?, ?, ?)");
const pause = db.prepare("UPDATE remote_agent_workflow_runs SET status = 'paused', metadata = json_set(metadata, '$.approval', json(?)) WHERE id = ? AND status = 'running'");
const GATE = { nodeId: 'report', type: 'approval', message: 'All checks passed on PR #91 (212 tests, lint clean). Merge it into main?' };

let tick = 0;
const timer = setInterval(() => {
  tick++;
  db.exec('BEGIN IMMEDIATE');
  heartbeat.run();
  for (const { id } of validating.all()) {
    if (tick === 12) {
      pause.run(JSON.stringify(GATE), id);
      event.run(crypto.randomUUID(), id, 'approval_requested', 'report', JSON.stringify({ message: GATE.message }));
    } else {
      event.run(crypto.randomUUID(), id, 'tool_called', 'run-tests', JSON.stringify({ tool_name: 'Bash', tick }));
    }
  }
  db.exec('COMMIT');
}, 5000);

process.stdin.resume();
process.stdin.on('end', () => {
  clearInterval(timer);
  process.exit(0); // without closing: the commits stay in the -wal, as a running Archon leaves them
});
