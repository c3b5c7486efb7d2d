#!/usr/bin/env node
// Creates an Archon-shaped demo database: runs in every status, a stale orphan, a paused approval
// gate, child runs, events, and recent commits left in the -wal file (as a live Archon leaves them).
//   node scripts/demo/createDemoDatabase.js <dir> [--project <folder>]
// Writes <dir>/archon.db and <dir>/archon.db-wal through the sqlite3 shell (a real SQLite).
'use strict';
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const SCHEMA = fs.readFileSync(path.join(root, 'test', 'fixtures', 'archon-schema.sql'), 'utf8');

const q = (v) => (v === null || v === undefined ? 'NULL' : typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`);
const ago = (minutes) => `datetime('now', '-${Math.round(minutes * 60)} seconds')`;
const hex = () => crypto.randomBytes(16).toString('hex');

function runSql(dbPath, sql) {
  return new Promise((resolve, reject) => {
    const child = spawn('sqlite3', ['-batch', '-bail', dbPath], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`sqlite3: ${err.trim()}`))));
    child.stdin.end(sql);
  });
}

/** Runs SQL in a connection that stays open, then copies the files while it is idle: the copy keeps its -wal. */
function commitIntoWal(dbPath, sql, outDir) {
  return new Promise((resolve, reject) => {
    const child = spawn('sqlite3', ['-batch', '-bail', dbPath], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.stdout.on('data', (d) => {
      out += d;
      if (!out.includes('__committed__')) return;
      for (const suffix of ['', '-wal']) fs.copyFileSync(dbPath + suffix, path.join(outDir, 'archon.db' + suffix));
      child.kill('SIGKILL');
    });
    child.on('close', () => (out.includes('__committed__') ? resolve() : reject(new Error(`sqlite3: ${err.trim()}`))));
    child.stdin.write(`PRAGMA wal_autocheckpoint = 0;\n${sql}\nSELECT '__committed__';\n`);
  });
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
  function run({ workflow, status, startedMin, lastMin, doneMin, error, approval, project = 0, parent, message, steps, outcome }) {
    const id = hex();
    n++;
    const cb = codebases[project];
    const worktree = `/home/alice/.archon/workspaces/${cb.name}/worktrees/archon/task-${workflow}-${1763900000000 + n * 7919}`;
    const metadata = { total_cost_usd: Math.round(n * 13.7) / 100, total_tokens_in: 12000 + n * 733, total_tokens_out: 2100 + n * 97 };
    if (error) metadata.error = error;
    if (approval) metadata.approval = approval;
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
  run({ workflow: 'archon-interactive-prd', status: 'paused', startedMin: 45, lastMin: 40, steps: 2, approval: { nodeId: 'foundation-gate', message: 'Answer the foundation questions above. Your answers will guide the research phase.', type: 'approval', captureResponse: true }, message: 'PRD for offline sync' });
  const parent = run({ workflow: 'archon-plan-to-pr', status: 'paused', startedMin: 90, lastMin: 80, steps: 3, approval: { nodeId: 'implement-tasks', message: 'Waiting for the child workflow to finish.', type: 'child_workflow' }, message: 'Plan and ship the CSV importer' });
  run({ workflow: 'archon-fix-github-issue', status: 'failed', startedMin: 150, doneMin: 131, lastMin: 131, steps: 5, parent, error: "DAG workflow 'archon-fix-github-issue' completed with failures: 'implement': tests failed after 3 attempts", message: 'Implement the CSV parser (child of the plan)' });
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

async function main() {
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
    await runSql(dbPath, `${SCHEMA}\nBEGIN;\n${sql}\nCOMMIT;\n`);
    // The newest activity stays in the -wal, as a running Archon leaves it.
    const late = [
      `INSERT INTO remote_agent_workflow_runs (id, conversation_id, codebase_id, workflow_name, user_message, status, metadata, started_at, last_activity_at, working_path) VALUES (${q(hex())}, ${q(conversations[0])}, ${q(codebases[0].id)}, 'archon-validate-pr', 'Validate PR #91 before merge', 'running', '{}', ${ago(3)}, ${ago(0.2)}, ${q(path.join(project, '.worktrees', 'validate-91'))});`,
      `UPDATE remote_agent_workflow_runs SET last_activity_at = datetime('now') WHERE status = 'running' AND last_activity_at > datetime('now', '-1 hour');`,
    ].join('\n');
    await commitIntoWal(dbPath, late, outDir);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  const walSize = fs.statSync(path.join(outDir, 'archon.db-wal')).size;
  console.log(`demo database: ${path.join(outDir, 'archon.db')} (${walSize} bytes of commits in its -wal); project folder: ${project}`);
}

main().catch((err) => {
  console.error(`createDemoDatabase: ${err.message}`);
  process.exit(1);
});
