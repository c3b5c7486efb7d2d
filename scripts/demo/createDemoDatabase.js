#!/usr/bin/env node
// Creates an Archon-shaped demo database: runs in every status, a stale orphan, one approval gate
// of each kind Archon has (approval with declared decisions, interactive loop, write-back, and a
// parent waiting on a paused child), child runs, events, and recent commits left in the -wal file
// (as a live Archon leaves them).
//   node scripts/demo/createDemoDatabase.js <dir> [--project <folder>]
// Writes <dir>/archon.db and <dir>/archon.db-wal through node:sqlite (Node >= 22.13; under an older
// Node it runs itself again with the Node 24 that scripts/host/install.sh installs).
'use strict';
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const SCHEMA = fs.readFileSync(path.join(root, 'test', 'fixtures', 'archon-schema.sql'), 'utf8');

const q = (v) => (v === null || v === undefined ? 'NULL' : typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`);
const ago = (minutes) => `datetime('now', '-${Math.round(minutes * 60)} seconds')`;
const hex = () => crypto.randomBytes(16).toString('hex');

/** The node:sqlite module, or undefined in a Node without it. */
function nodeSqlite() {
  try {
    return require('node:sqlite');
  } catch {
    return undefined;
  }
}

/** Runs SQL in a connection that stays open, then copies the files while it is open: the copy keeps its -wal. */
function commitIntoWal(dbPath, sql, outDir) {
  const { DatabaseSync } = nodeSqlite();
  const db = new DatabaseSync(dbPath);
  db.exec('PRAGMA wal_autocheckpoint = 0');
  db.exec(sql);
  for (const suffix of ['', '-wal']) fs.copyFileSync(dbPath + suffix, path.join(outDir, 'archon.db' + suffix));
  db.close();
}

const NODES = require('../archonWorkflows');

function build(projectDir) {
  const sql = [];
  const codebases = [
    { id: hex(), name: 'acme/widgets', url: 'https://github.com/acme/widgets', cwd: projectDir },
    { id: hex(), name: 'acme/gadgets', url: 'git@github.com:acme/gadgets.git', cwd: '/home/alice/code/gadgets' },
  ];
  for (const c of codebases) {
    sql.push(`INSERT INTO remote_agent_codebases (id, name, repository_url, default_cwd, default_branch) VALUES (${q(c.id)}, ${q(c.name)}, ${q(c.url)}, ${q(c.cwd)}, 'main');`);
  }
  const conversations = ['cli', 'web', 'slack', 'github'].map((platform, i) => {
    const id = hex();
    sql.push(`INSERT INTO remote_agent_conversations (id, platform_type, platform_conversation_id, codebase_id) VALUES (${q(id)}, ${q(platform)}, ${q(`${platform}-17639${i}0000-demo${i}`)}, ${q(codebases[0].id)});`);
    return id;
  });
  let n = 0;
  const runs = [];
  function run({ id = hex(), workflow, status, startedMin, lastMin, doneMin, error, approval, extra, project = 0, parent, message, steps, outcome }) {
    n++;
    const cb = codebases[project];
    const worktree = `/home/alice/.archon/workspaces/${cb.name}/worktrees/archon/task-${workflow}-${1763900000000 + n * 7919}`;
    const metadata = { total_cost_usd: Math.round(n * 13.7) / 100, total_tokens_in: 12000 + n * 733, total_tokens_out: 2100 + n * 97 };
    if (error) metadata.error = error;
    if (approval) metadata.approval = approval;
    Object.assign(metadata, extra);
    sql.push(
      `INSERT INTO remote_agent_workflow_runs (id, conversation_id, codebase_id, workflow_name, user_message, status, outcome, metadata, parent_run_id, started_at, completed_at, last_activity_at, working_path, output_root) VALUES (` +
        [q(id), q(conversations[n % conversations.length]), q(cb.id), q(workflow), q(message ?? `Fix issue #${100 + n}: ${workflow.replace('archon-', '').replace(/-/g, ' ')}`), q(status), q(outcome ?? null), q(JSON.stringify(metadata)), q(parent ?? null), ago(startedMin), doneMin === undefined ? 'NULL' : ago(doneMin), lastMin === null ? 'NULL' : ago(lastMin ?? doneMin ?? startedMin), q(worktree), q(`/home/alice/.archon/workspaces/${cb.name}`)].join(', ') +
        ');',
    );
    const nodes = NODES[workflow];
    const count = steps ?? nodes.length;
    sql.push(`INSERT INTO remote_agent_workflow_events (id, workflow_run_id, event_type, data, created_at) VALUES (${q(crypto.randomUUID())}, ${q(id)}, 'workflow_started', ${q(JSON.stringify({ workflowName: workflow, provider: 'claude', isolationMode: 'worktree' }))}, ${ago(startedMin)});`);
    for (let i = 0; i < count && i < nodes.length; i++) {
      const at = startedMin - (i + 0.5) * ((startedMin - (lastMin ?? doneMin ?? startedMin - 1)) / (count + 1));
      sql.push(`INSERT INTO remote_agent_workflow_events (id, workflow_run_id, event_type, step_name, data, created_at) VALUES (${q(crypto.randomUUID())}, ${q(id)}, 'node_started', ${q(nodes[i])}, ${q(JSON.stringify({ provider: 'claude', model: 'sonnet' }))}, ${ago(at)});`);
      const last = i === count - 1;
      const type = last && status === 'failed' ? 'node_failed' : last && (status === 'running' || status === 'paused') ? null : 'node_completed';
      if (type) sql.push(`INSERT INTO remote_agent_workflow_events (id, workflow_run_id, event_type, step_name, data, created_at) VALUES (${q(crypto.randomUUID())}, ${q(id)}, ${q(type)}, ${q(nodes[i])}, ${q(JSON.stringify(type === 'node_failed' ? { error } : { duration_ms: 42000 + i * 1000 }))}, ${ago(at - 0.3)});`);
    }
    if (status === 'completed') sql.push(`INSERT INTO remote_agent_workflow_events (id, workflow_run_id, event_type, data, created_at) VALUES (${q(crypto.randomUUID())}, ${q(id)}, 'workflow_completed', '{"duration_ms":912000}', ${ago(doneMin)});`);
    runs.push({ id, workflow, status });
    return id;
  }
  run({ workflow: 'archon-fix-github-issue', status: 'running', startedMin: 12, lastMin: 0.5, steps: 5, message: 'Fix issue #214: the export button crashes on empty tables' });
  run({ workflow: 'archon-refactor-safely', status: 'running', startedMin: 60 * 30, lastMin: 60 * 29, steps: 3, message: 'Split the payments module' });
  // One gate of each kind, shaped as Archon's pauseWorkflowRun writes metadata.approval.
  run({
    workflow: 'archon-interactive-prd', status: 'paused', startedMin: 45, lastMin: 40, steps: 2, message: 'PRD for offline sync',
    approval: {
      nodeId: 'foundation-gate', type: 'approval', captureResponse: true, decisionsAuthored: true,
      message: 'The foundation answers are in. Go on to research with this scope?',
      decisions: [{ id: 'approve', label: 'Go on to research' }, { id: 'narrow', label: 'Narrow the scope first' }, { id: 'reject', label: 'Stop here' }],
    },
  });
  run({
    workflow: 'archon-assist', status: 'paused', startedMin: 25, lastMin: 22, steps: 1, message: 'Tidy up the logging in the sync worker',
    approval: { nodeId: 'assist', type: 'interactive_loop', iteration: 2, sessionId: null, message: 'Here is the draft of the new log format. What should change before I apply it everywhere?' },
  });
  run({
    workflow: 'archon-refactor-safely', status: 'paused', startedMin: 70, lastMin: 64, steps: 4, project: 1, message: 'Split the payments module (container run)',
    approval: { nodeId: '__writeback__', type: 'writeback', message: 'Apply the container changes (6 files, +212 −97) to /home/alice/code/gadgets?' },
    extra: { isolation: 'container', pending_writeback: true },
  });
  const child = hex();
  const parent = run({
    workflow: 'archon-plan-to-pr', status: 'paused', startedMin: 90, lastMin: 80, steps: 3, message: 'Plan and ship the CSV importer',
    approval: { nodeId: 'implement-tasks', type: 'child_workflow', childRunId: child, message: "Waiting on the sub-run for node 'implement-tasks'." },
  });
  run({
    id: child, workflow: 'archon-fix-github-issue', status: 'paused', startedMin: 85, lastMin: 60, steps: 4, parent, message: 'Implement the CSV parser (child of the plan)',
    approval: { nodeId: 'plan', type: 'approval', message: 'Plan: a streaming parser with BOM handling and a 10k-row fixture. Implement it?' },
  });
  run({ workflow: 'archon-fix-github-issue', status: 'failed', startedMin: 150, doneMin: 131, lastMin: 131, steps: 5, parent, error: "DAG workflow 'archon-fix-github-issue' completed with failures: 'implement': tests failed after 3 attempts", message: 'An earlier attempt at the CSV parser (child of the plan)' });
  run({ workflow: 'archon-smart-pr-review', status: 'failed', startedMin: 300, doneMin: 290, steps: 3, error: 'Process terminated (SIGINT)', message: 'Review PR #88' });
  run({ workflow: 'archon-fix-github-issue', status: 'pending', startedMin: 1, lastMin: 1, steps: 0, message: 'Fix issue #215: date picker ignores the locale' });
  for (let i = 0; i < 14; i++) {
    const workflow = Object.keys(NODES)[i % 6];
    run({ workflow, status: 'completed', startedMin: 600 + i * 300, doneMin: 580 + i * 300, outcome: 'succeeded', project: i % 3 === 2 ? 1 : 0 });
  }
  run({ workflow: 'archon-assist', status: 'cancelled', startedMin: 2000, doneMin: 1990, steps: 1 });
  run({ workflow: 'archon-plan-to-pr', status: 'cancelled', startedMin: 4000, doneMin: 3900, steps: 2, project: 1 });
  return { sql: sql.join('\n'), runs, conversations, codebases };
}

function main() {
  if (!nodeSqlite()) {
    const node24 = require('../host/paths').node24Bin;
    if (!fs.existsSync(node24)) throw new Error(`Node ${process.version} has no node:sqlite: install Node 22.13 or later, or run scripts/host/install.sh --node-only`);
    const r = spawnSync(node24, [__filename, ...process.argv.slice(2)], { stdio: 'inherit' });
    process.exit(r.status ?? 1);
  }
  const args = process.argv.slice(2);
  const outDir = path.resolve(args[0] ?? path.join(root, '.demo'));
  const projectIdx = args.indexOf('--project');
  const project = path.resolve(projectIdx >= 0 ? args[projectIdx + 1] : path.join(outDir, 'widgets'));
  fs.mkdirSync(outDir, { recursive: true });
  fs.mkdirSync(project, { recursive: true });
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(path.join(outDir, 'archon.db' + suffix), { force: true });
  const work = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'wr-demo-'));
  const dbPath = path.join(work, 'archon.db');
  try {
    const { sql, conversations, codebases } = build(project);
    const db = new (nodeSqlite().DatabaseSync)(dbPath);
    db.exec(`${SCHEMA}\nBEGIN;\n${sql}\nCOMMIT;`);
    db.close();
    // The newest activity stays in the -wal, as a running Archon leaves it.
    const late = [
      `INSERT INTO remote_agent_workflow_runs (id, conversation_id, codebase_id, workflow_name, user_message, status, metadata, started_at, last_activity_at, working_path) VALUES (${q(hex())}, ${q(conversations[0])}, ${q(codebases[0].id)}, 'archon-validate-pr', 'Validate PR #91 before merge', 'running', '{}', ${ago(3)}, ${ago(0.2)}, ${q(path.join(project, '.worktrees', 'validate-91'))});`,
      `UPDATE remote_agent_workflow_runs SET last_activity_at = datetime('now') WHERE status = 'running' AND last_activity_at > datetime('now', '-1 hour');`,
    ].join('\n');
    commitIntoWal(dbPath, late, outDir);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  const walSize = fs.statSync(path.join(outDir, 'archon.db-wal')).size;
  console.log(`demo database: ${path.join(outDir, 'archon.db')} (${walSize} bytes of commits in its -wal); project folder: ${project}`);
}

try {
  main();
} catch (err) {
  console.error(`createDemoDatabase: ${err.message}`);
  process.exit(1);
}
