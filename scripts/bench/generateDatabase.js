#!/usr/bin/env node
// Generates a large, deterministic Archon database for benchmarks (needs Node >= 22.13: node:sqlite).
//   node scripts/bench/generateDatabase.js <dir> [--runs N] [--events-per-run N] [--messages N] [--wal-runs N]
// Writes <dir>/archon.db with the real schema (test/fixtures/archon-schema.sql) and leaves the newest
// `walRuns` runs committed in <dir>/archon.db-wal, as a live Archon server leaves its latest commits.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const SCHEMA_PATH = path.resolve(__dirname, '..', '..', 'test', 'fixtures', 'archon-schema.sql');
// Sizes (measured): 100k runs with 4 events each already make ~260 MB (runs ~750 B each with their
// metadata, events ~230 B each plus five indexes), past the ~200 MB "large database" target, so chat
// messages default to none; each 10k messages of 1-2 KB adds ~22 MB.
const DEFAULTS = { runs: 100000, eventsPerRun: 4, messages: 0, walRuns: 200 };
const BASE = Date.UTC(2026, 10, 1); // the fixed "end" of the timeline; runs spread over 120 days before it
const SPAN = 120 * 86400e3;
const STATUS_SHARE = { completed: 0.7, failed: 0.1, cancelled: 0.07, running: 0.04, paused: 0.03, pending: 0.06 };

const PROJECTS = ['widgets', 'gadgets', 'billing-api', 'web-dashboard', 'mobile-app', 'infra', 'docs-site', 'data-pipeline'];
const PLATFORMS = ['web', 'web', 'web', 'cli', 'cli', 'slack', 'github', 'telegram'];
const WORKFLOWS = require('../archonWorkflows');
const WORKFLOW_PICK = ['archon-assist', 'archon-assist', 'archon-fix-github-issue', 'archon-fix-github-issue', 'archon-smart-pr-review', 'archon-plan-to-pr', 'archon-interactive-prd', 'archon-refactor-safely', 'archon-validate-pr'];
const TASKS = [
  'the export button crashes on empty tables', 'date picker ignores the locale', 'add retry with backoff to the webhook sender',
  'flaky test in the session store', 'migrate the config loader to zod', 'memory leak when the socket reconnects',
  'pagination returns duplicates after a delete', 'support dark mode in the settings page', 'CSV importer chokes on BOM',
  'rate limiter counts OPTIONS requests', 'upgrade the ORM and fix the deprecations', 'slow query on the invoices list',
];
const ERRORS = [
  "DAG workflow completed with failures: 'implement': tests failed after 3 attempts",
  'Process terminated (SIGINT)', 'Claude Code process exited with code 1: rate limit exceeded (429), retry after 60s',
  "Node 'validate' failed: command `npm test` exited with 1 (14 failing, 212 passing)",
  'git push rejected: non-fast-forward (the base branch moved; rebase needed)', 'Timed out after 1800000 ms waiting for node output',
];
const SENTENCES = [
  'I looked at the failing test and the root cause is a race between the cache refresh and the request handler.',
  'The handler reads the stale entry before the refresh finishes, so the response carries the previous version.',
  'I added a lock around the refresh and a regression test that reproduces the interleaving deterministically.',
  'All 212 tests pass locally and the linter is clean; the type checker reports no new errors.',
  'Next I will open a pull request against main with a short description and a link to the issue.',
  'Could you also check whether the same pattern appears in the billing module? It uses the same helper.',
  'The migration touches 14 files; most changes are mechanical renames, the interesting part is in the loader.',
  'I kept the public API unchanged and added a deprecation warning for the old option name.',
  'Here is the plan: reproduce the bug, write a failing test, fix the parser, then run the full suite.',
  'The benchmark shows the query dropping from 840 ms to 35 ms once the composite index is in place.',
  'I could not reproduce the crash on Linux; it seems specific to the Windows path handling in the watcher.',
  'Please review the approach before I continue: the alternative is to move the validation into the schema layer.',
  'The CI run failed on the integration job because the fixture database was missing a column added last week.',
  'I updated the fixture and re-ran the job; it is green now and the coverage report went up by two percent.',
  'Summary of changes: fixed the off-by-one in pagination, added tests, updated the changelog and the docs.',
  '```ts\nexport function parseRow(line: string): Row {\n  const cells = line.split(",").map((c) => c.trim());\n  return { id: cells[0], name: cells[1], amount: Number(cells[2]) };\n}\n```',
];

/** mulberry32: a tiny seeded PRNG, so every generation gives the same rows. */
function prng(seed) {
  let a = seed >>> 0;
  const u32 = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
  const r = { u32, float: () => u32() / 4294967296 };
  r.int = (n) => Math.floor(r.float() * n);
  r.pick = (arr) => arr[r.int(arr.length)];
  r.hex = () => [u32(), u32(), u32(), u32()].map((x) => x.toString(16).padStart(8, '0')).join('');
  r.uuid = () => {
    const h = r.hex();
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[u32() & 3]}${h.slice(17, 20)}-${h.slice(20)}`;
  };
  return r;
}

const sqlTime = (ms) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/** Statuses in exact proportions (each at least once), shuffled deterministically. */
function statusList(n, rnd) {
  const list = [];
  for (const [s, share] of Object.entries(STATUS_SHARE)) if (s !== 'completed') list.push(...Array(Math.max(1, Math.round(n * share))).fill(s));
  while (list.length < n) list.push('completed');
  list.length = n;
  for (let i = n - 1; i > 0; i--) {
    const j = rnd.int(i + 1);
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list;
}

const SQL = {
  codebase: 'INSERT INTO remote_agent_codebases (id, name, repository_url, default_cwd, default_branch, ai_assistant_type, kind, commands, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)',
  conversation: 'INSERT INTO remote_agent_conversations (id, platform_type, platform_conversation_id, codebase_id, cwd, title, deleted_at, hidden, created_at, updated_at, last_activity_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)',
  run: 'INSERT INTO remote_agent_workflow_runs (id, conversation_id, codebase_id, workflow_name, user_message, status, outcome, current_step_index, metadata, parent_conversation_id, user_id, parent_run_id, started_at, completed_at, last_activity_at, working_path, output_root) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)',
  // event_order is given explicitly: left NULL, the schema's trigger computes max(event_order) with a
  // full table scan per insert (no index can answer it), which makes a bulk load quadratic.
  event: 'INSERT INTO remote_agent_workflow_events (id, workflow_run_id, event_order, event_type, step_index, step_name, data, created_at) VALUES (?,?,?,?,?,?,?,?)',
  message: 'INSERT INTO remote_agent_messages (id, conversation_id, role, content, metadata, created_at) VALUES (?,?,?,?,?,?)',
};

/** Yields every row as [table, values], in insertion order; runs come oldest first. */
function* rows({ runs, eventsPerRun, messages }, now) {
  const rnd = prng(0xa5c40);
  const codebases = PROJECTS.map((name, i) => {
    const folder = name === 'docs-site';
    const cb = { id: rnd.hex(), name: folder ? name : `acme/${name}`, cwd: `/home/dev/projects/${name}`, project: name };
    const commands = folder ? {} : { test: { path: '.archon/commands/test.md', description: 'Run the test suite' }, lint: { path: '.archon/commands/lint.md', description: 'Lint and type-check' } };
    const created = BASE - SPAN - (30 - i) * 86400e3;
    return [cb, ['codebase', [cb.id, cb.name, folder ? null : `https://github.com/acme/${name}`, cb.cwd, folder ? null : i % 3 ? 'main' : 'develop', i === 5 ? 'codex' : 'claude', folder ? 'folder' : 'repo', JSON.stringify(commands), sqlTime(created), sqlTime(created + i * 7 * 86400e3)]]];
  });
  for (const [, row] of codebases) yield row;

  // One conversation per ~5 consecutive runs; projects are unevenly busy (widgets most).
  const step = SPAN / Math.max(1, runs);
  const convs = [];
  for (let c = 0; c * 5 < runs; c++) {
    const cb = codebases[Math.min(rnd.int(10), rnd.int(10), PROJECTS.length - 1)][0];
    const platform = rnd.pick(PLATFORMS);
    const start = BASE - SPAN + c * 5 * step;
    const last = Math.min(BASE, start + 5 * step + rnd.int(3600e3));
    const conv = { id: rnd.hex(), cb, platform, start, last };
    const ext = platform === 'slack' ? `C0${rnd.hex().slice(0, 8).toUpperCase()}:${Math.floor(start / 1000)}.${String(rnd.int(1e6)).padStart(6, '0')}`
      : platform === 'github' ? `acme/${cb.project}#${100 + c}` : platform === 'telegram' ? String(100000000 + rnd.int(9e8)) : `${platform}-${Math.floor(start)}-${rnd.hex().slice(0, 6)}`;
    convs.push(conv);
    yield ['conversation', [conv.id, platform, ext, cb.id, cb.cwd, `${rnd.pick(TASKS)} (${cb.project})`, null, 0, sqlTime(start), sqlTime(last), sqlTime(last)]];
  }

  const statuses = statusList(runs, rnd);
  let order = 0;
  let running = 0;
  let previous = null;
  for (let i = 0; i < runs; i++) {
    const status = statuses[i];
    const conv = convs[Math.floor(i / 5)];
    const cb = conv.cb;
    const workflow = rnd.pick(WORKFLOW_PICK);
    const nodes = WORKFLOWS[workflow];
    const task = rnd.pick(TASKS);
    // Timeline: finished runs end at most a few hours after they start; running runs use real time.
    let started = BASE - SPAN + i * step + rnd.int(step);
    let last = started + (5 + rnd.int(90)) * 60e3;
    if (status === 'running' && running++ % 2) {
      last = now - (1.5 + rnd.float() * 20) * 86400e3; // stale orphan: its executor died days ago
      started = last - rnd.int(6 * 3600e3);
    } else if (status === 'running') {
      last = now - (2 + rnd.int(120)) * 1000;
      started = last - rnd.int(3600e3);
    } else if (status === 'pending') last = started;
    const finished = ['completed', 'failed', 'cancelled'].includes(status);
    const events = status === 'pending' ? 0 : eventsPerRun; // a pending run has not started: no events
    // Events: workflow_started, node_started/node_completed pairs, then the status's closing event.
    const closing = { completed: 'workflow_completed', failed: 'workflow_failed', cancelled: 'workflow_cancelled', paused: 'approval_requested' }[status];
    const middle = Math.max(0, events - 1 - (closing ? 1 : 0)); // node events
    const nodeCount = Math.ceil(middle / 2); // nodes this run's events reach
    const completedNodes = Math.floor(middle / 2) - (status === 'failed' && middle && middle % 2 === 0 ? 1 : 0);
    const branch = `archon/task-${workflow.replace('archon-', '')}-${Math.floor(started / 1000)}`;
    const child = previous && previous.conv === conv && status !== 'pending' && rnd.float() < 0.03 ? previous : null;
    const metadata = {
      provider: cb.project === 'infra' ? 'codex' : 'claude', model: rnd.pick(['sonnet', 'sonnet', 'opus', 'haiku']),
      isolation: workflow === 'archon-assist' ? { mode: 'none' } : { mode: 'worktree', branch, base: 'main' },
      total_cost_usd: Math.round(rnd.float() * 400) / 100, total_tokens_in: 5000 + rnd.int(400000), total_tokens_out: 800 + rnd.int(40000),
      session_id: rnd.uuid(), nodes_completed: nodes.slice(0, Math.min(nodes.length, completedNodes)),
    };
    const error = status === 'failed' ? rnd.pick(ERRORS) : null;
    if (error) metadata.error = error;
    if (status === 'paused') {
      metadata.approval = rnd.float() < 0.7
        ? { nodeId: nodes[Math.min(nodeCount, nodes.length - 1)], message: 'Review the plan above. Reply with approval to continue, or with changes to make.', type: 'approval', captureResponse: true }
        : { nodeId: nodes[Math.min(nodeCount, nodes.length - 1)], message: 'Waiting for the child workflow to finish.', type: 'child_workflow' };
    }
    const run = { id: rnd.hex(), conv };
    previous = run;
    const working = workflow === 'archon-assist' ? cb.cwd : `${cb.cwd}/.worktrees/${branch.replace('/', '-')}`;
    const userId = conv.platform === 'slack' ? `U0${conv.id.slice(0, 8).toUpperCase()}` : conv.platform === 'github' ? rnd.pick(['octocat', 'alice-dev', 'bob-ops']) : null;
    yield ['run', [
      run.id, conv.id, cb.id, workflow,
      `${rnd.pick(['Fix', 'Investigate', 'Handle', 'Look into'])} issue #${100 + rnd.int(900)}: ${task}. ${rnd.pick(['Keep the public API stable.', 'Add a regression test.', 'Open a PR when the suite is green.', 'Ping me before touching the database layer.'])}`,
      status, status === 'completed' ? 'succeeded' : status === 'failed' ? 'failed' : null,
      nodeCount ? (nodeCount - 1) % nodes.length : null, JSON.stringify(metadata),
      child ? child.conv.id : null, userId, child ? child.id : null,
      sqlTime(started), finished ? sqlTime(last) : null, sqlTime(last), working, `/home/dev/.archon/workspaces/acme/${cb.project}`,
    ]];

    for (let e = 0; e < events; e++) {
      const at = sqlTime(started + ((last - started) * e) / Math.max(1, events - 1));
      const k = e - 1;
      const n = Math.floor(k / 2) % nodes.length;
      let type = e === 0 ? 'workflow_started' : e === events - 1 && closing ? closing : k % 2 ? 'node_completed' : 'node_started';
      if (status === 'failed' && e === events - 2 && e > 0) type = 'node_failed';
      const data =
        type === 'workflow_started' ? { workflowName: workflow, provider: metadata.provider, model: metadata.model, isolationMode: metadata.isolation.mode, cwd: working }
        : type === 'node_started' ? { nodeId: nodes[n], provider: metadata.provider, model: metadata.model, attempt: 1, dependsOn: n ? [nodes[n - 1]] : [] }
        : type === 'node_completed' ? { nodeId: nodes[n], duration_ms: 5000 + rnd.int(300000), tokens_in: 2000 + rnd.int(60000), tokens_out: 300 + rnd.int(8000), cost_usd: Math.round(rnd.float() * 90) / 100 }
        : type === 'node_failed' ? { nodeId: nodes[n], error, attempt: 3, duration_ms: 5000 + rnd.int(300000) }
        : type === 'workflow_completed' ? { duration_ms: last - started, total_cost_usd: metadata.total_cost_usd, nodes_completed: completedNodes }
        : type === 'workflow_failed' ? { error, failed_nodes: [nodes[Math.max(0, nodeCount - 1) % nodes.length]], duration_ms: last - started }
        : type === 'workflow_cancelled' ? { reason: 'Cancelled by user', cancelled_by: conv.platform, duration_ms: last - started }
        : { nodeId: metadata.approval.nodeId, type: metadata.approval.type, message: metadata.approval.message };
      const nodeEvent = type.startsWith('node_');
      yield ['event', [rnd.uuid(), run.id, ++order, type, nodeEvent ? n : null, nodeEvent ? nodes[n] : null, JSON.stringify(data), at]];
    }
  }

  // Chat history: messages spread in order over the conversations, user and assistant taking turns.
  for (let m = 0, turn = 0, conv = null; m < messages; m++) {
    const next = convs[Math.floor((m * convs.length) / messages)];
    turn = next === conv ? turn + 1 : 0;
    conv = next;
    const role = turn % 2 ? 'assistant' : 'user';
    const target = 1000 + rnd.int(1000);
    const parts = [];
    for (let len = 0; len < target; ) {
      const s = rnd.pick(SENTENCES);
      parts.push(s);
      len += s.length + 1;
    }
    const metadata = role === 'user'
      ? { platform: conv.platform, source: conv.platform === 'cli' ? 'terminal' : 'chat' }
      : { provider: 'claude', model: 'sonnet', tokens_in: 1000 + rnd.int(50000), tokens_out: 200 + rnd.int(4000), toolCalls: [{ name: 'Read', input: { file_path: `${conv.cb.cwd}/src/index.ts` } }, { name: 'Bash', input: { command: 'npm test' } }] };
    yield ['message', [rnd.hex(), conv.id, role, parts.join(' ').slice(0, 2048), JSON.stringify(metadata), sqlTime(conv.start + turn * 45e3)]];
  }
}

/** Inserts [table, values] rows with prepared statements, committing every `batch` rows. */
function insertRows(db, rowIter, batch = 50000) {
  const stmts = {};
  for (const [k, sql] of Object.entries(SQL)) stmts[k] = db.prepare(sql);
  let n = 0;
  db.exec('BEGIN');
  for (const [table, values] of rowIter) {
    stmts[table].run(...values);
    if (++n % batch === 0) db.exec('COMMIT; BEGIN');
  }
  db.exec('COMMIT');
}

/** Runs the last transaction in a child that is SIGKILLed once it has committed, so its -wal stays. */
function commitInChild(dbPath, tail) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [__filename, '--wal-child', dbPath], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.on('error', reject);
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('done\n')) child.kill('SIGKILL');
    });
    child.on('exit', () => (out.includes('done\n') ? resolve() : reject(new Error(`WAL child failed: ${out.trim()}`))));
    child.stdin.end(JSON.stringify(tail));
  });
}

async function generateDatabase(dir, options = {}) {
  const opts = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  if (!process.getBuiltinModule?.('node:sqlite')) throw new Error(`needs Node >= 22.13 (node:sqlite); this is ${process.version}`);
  const { DatabaseSync } = require('node:sqlite');
  fs.mkdirSync(dir, { recursive: true });
  const dbPath = path.join(path.resolve(dir), 'archon.db');
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(dbPath + suffix, { force: true });

  const db = new DatabaseSync(dbPath);
  db.exec(fs.readFileSync(SCHEMA_PATH, 'utf8'));
  db.exec("DELETE FROM remote_agent_conversations WHERE id = 'conv-1'"); // the schema file's sample row
  // Bulk-load settings for this connection only (nothing here persists in the file but WAL mode).
  db.exec('PRAGMA synchronous = OFF; PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY');

  // Everything but the newest `walRuns` runs (and their events) goes into the main file.
  const walRuns = Math.min(opts.walRuns, opts.runs);
  const firstWalRun = opts.runs - walRuns;
  let runIndex = 0;
  const tail = [];
  const head = function* () {
    for (const row of rows(opts, Date.now())) {
      if (row[0] === 'run') runIndex++;
      if ((row[0] === 'run' || row[0] === 'event') && runIndex > firstWalRun) tail.push(row);
      else yield row;
    }
  };
  insertRows(db, head());
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  db.close(); // the last connection closing checkpoints and removes the (empty) -wal
  if (tail.length) {
    await commitInChild(dbPath, tail);
    const wal = fs.statSync(dbPath + '-wal', { throwIfNoEntry: false });
    if (!wal || wal.size === 0) throw new Error('archon.db-wal is missing or empty after the WAL commit');
  }
  const size = (p) => fs.statSync(p, { throwIfNoEntry: false })?.size ?? 0;
  return { dbPath, bytes: size(dbPath) + size(dbPath + '-wal') };
}

/** The child side of commitInChild: commit the rows from stdin, say so, and wait to be killed. */
function walChild(dbPath) {
  let input = '';
  process.stdin.on('data', (d) => (input += d));
  process.stdin.on('end', () => {
    const { DatabaseSync } = require('node:sqlite');
    const db = new DatabaseSync(dbPath);
    db.exec('PRAGMA busy_timeout = 5000; PRAGMA wal_autocheckpoint = 0; PRAGMA foreign_keys = ON');
    insertRows(db, JSON.parse(input), Infinity);
    process.stdout.write('done\n');
    setInterval(() => {}, 1 << 30); // never close the connection: the parent SIGKILLs us
  });
}

function parseArgs(argv) {
  const opts = {};
  let dir;
  const flags = { '--runs': 'runs', '--events-per-run': 'eventsPerRun', '--messages': 'messages', '--wal-runs': 'walRuns' };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--help' || argv[i] === '-h') return { help: true };
    if (flags[argv[i]]) opts[flags[argv[i]]] = Number(argv[++i]);
    else if (argv[i].startsWith('--')) throw new Error(`unknown option ${argv[i]}`);
    else dir = argv[i];
  }
  for (const [k, v] of Object.entries(opts)) if (!Number.isInteger(v) || v < 0) throw new Error(`--${k} needs a whole number`);
  return { dir, opts };
}

const USAGE = `Usage: node scripts/bench/generateDatabase.js <dir> [options]   (Node >= 22.13)
Writes <dir>/archon.db (+ -wal): a deterministic Archon database for benchmarks.
  --runs N            workflow runs (default ${DEFAULTS.runs})
  --events-per-run N  events per started run; pending runs get none (default ${DEFAULTS.eventsPerRun})
  --messages N        chat messages of 1-2 KB (default ${DEFAULTS.messages}; the defaults alone make ~260 MB,
                      each 10k messages adds ~22 MB)
  --wal-runs N        newest runs left committed in the -wal file, out of --runs (default ${DEFAULTS.walRuns})`;

if (require.main === module) {
  if (process.argv[2] === '--wal-child') walChild(process.argv[3]);
  else {
    let args;
    try {
      args = parseArgs(process.argv.slice(2));
    } catch (err) {
      console.error(`${err.message}\n${USAGE}`);
      process.exit(2);
    }
    if (args.help || !args.dir) {
      console.log(USAGE);
      process.exit(args.help ? 0 : 2);
    }
    const t0 = process.hrtime.bigint();
    generateDatabase(args.dir, args.opts).then(
      ({ dbPath, bytes }) => console.log(`${dbPath}: ${(bytes / 1048576).toFixed(1)} MB in ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s`),
      (err) => {
        console.error(`generateDatabase: ${err.message}`);
        process.exit(1);
      },
    );
  }
}

module.exports = { generateDatabase, rows, SQL, DEFAULTS };
