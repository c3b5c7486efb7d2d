#!/usr/bin/env node
// `npm run bench`: generates Archon-shaped databases and measures the extension's read and write
// paths on them, side by side with node:sqlite running the same queries on the same files.
//   node scripts/bench/bench.js [--json] [--reps N] [--sizes small,large] [--keep]
// Every figure is the median of N repetitions (default 5). Needs node:sqlite (Node >= 22.13): under
// an older Node it re-runs itself with the Node 24 that `npm test` installs.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { monitorEventLoopDelay, performance } = require('node:perf_hooks');
const readline = require('node:readline');

const root = path.resolve(__dirname, '..', '..');
const paths = require('../host/paths');

const SIZES = {
  small: { runs: 10_000, eventsPerRun: 4, messages: 0 },
  large: { runs: 100_000, eventsPerRun: 4, messages: 10_000 }, // about 280 MB: the "about 200 MB" shape, with Archon-sized rows
};
/** What the tree's first render asks for with the default settings: every group, 25 runs each, one project. */
const PROJECT = '/home/dev/projects';

function hasNodeSqlite() {
  try {
    require('node:sqlite');
    return true;
  } catch {
    return false;
  }
}

function parseArgs(argv) {
  const args = { json: false, reps: 5, sizes: ['small', 'large'], keep: false, child: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') args.json = true;
    else if (a === '--keep') args.keep = true;
    else if (a === '--reps') args.reps = Math.max(5, Number(argv[++i]));
    else if (a === '--sizes') args.sizes = argv[++i].split(',');
    else if (a === '--child') args.child = argv.slice(i + 1);
    else if (a === '--help') {
      console.log('usage: npm run bench -- [--json] [--reps N (>= 5)] [--sizes small,large] [--keep]');
      process.exit(0);
    }
    if (args.child) break;
  }
  return args;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x, digits = 1) => (x === null || x === undefined ? null : Number(x.toFixed(digits)));
const mb = (bytes) => bytes / 1024 / 1024;

/** The product's code, as built: the reader thread is the shipped bundle. */
function product() {
  const out = path.join(root, 'out', 'src', 'core');
  const { ReaderClient } = require(path.join(out, 'readerClient.js'));
  return {
    newClient: () => new ReaderClient(path.join(root, 'dist', 'readerWorker.js')),
    RunReader: require(path.join(out, 'runReader.js')).RunReader,
    detectSchema: require(path.join(out, 'schema.js')).detectSchema,
    readOverview: require(path.join(out, 'overview.js')).readOverview,
    operations: require(path.join(out, 'operations.js')),
    writers: {
      'node-sqlite': () => new (require(path.join(out, 'writers', 'nodeSqliteWriter.js')).NodeSqliteWriter)(require('node:sqlite')),
      sqlite3: async () => {
        const shell = require(path.join(out, 'writers', 'sqliteShellWriter.js'));
        const version = await shell.probeSqliteShell('sqlite3');
        return version ? new shell.SqliteShellWriter('sqlite3', version) : undefined;
      },
    },
  };
}

function overviewRequest(project) {
  return { base: { folders: [project] }, statuses: [], limits: {}, defaultLimit: 25 };
}

/** The same queries through node:sqlite: the RunReader over a node:sqlite connection. */
function nativeOverview(p, dbPath, project, db) {
  const { DatabaseSync } = require('node:sqlite');
  const own = !db;
  db ??= new DatabaseSync(dbPath, { readOnly: true });
  const query = {
    all(sql, params = {}) {
      const stmt = db.prepare(sql);
      stmt.setAllowUnknownNamedParameters?.(true);
      return stmt.all(params);
    },
  };
  const { overview: value } = p.readOverview(new p.RunReader(query, p.detectSchema(query, dbPath)), overviewRequest(project));
  if (own) db.close();
  return value;
}

/** The Archon server stand-in that keeps the database open and commits on request. */
class OpenWriter {
  constructor(dbPath) {
    this.child = spawn(process.execPath, [path.join(__dirname, 'openWriter.js'), dbPath], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.lines = readline.createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }
  async ready() {
    const { value } = await this.lines.next();
    if (value !== 'ready') throw new Error(`open writer said: ${value}`);
  }
  async send(command) {
    this.child.stdin.write(JSON.stringify(command) + '\n');
    const { value } = await this.lines.next();
    const reply = JSON.parse(value);
    if (!reply.ok) throw new Error(`open writer: ${reply.error}`);
    return reply;
  }
  stop() {
    this.child.stdin.end();
    this.child.kill();
  }
}

/** Runs one measurement in a fresh process and returns what it printed (JSON). */
function inChild(...args) {
  const r = spawnSync(process.execPath, [__filename, '--child', ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`child ${args[0]} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

/** Child process bodies: a first paint in a process of its own, reporting its peak RSS. */
async function child([what, dbPath, project]) {
  const p = product();
  const started = performance.now();
  if (what === 'ours') {
    const client = p.newClient();
    const { value } = await client.read(dbPath, 'overview', overviewRequest(project));
    client.dispose();
    if (!value.groups.length) throw new Error('nothing listed');
  } else if (what === 'native') {
    if (!nativeOverview(p, dbPath, project).groups.length) throw new Error('nothing listed');
  }
  const ms = performance.now() - started;
  console.log(JSON.stringify({ ms, peakRssMb: peakRssMb() }));
}

/**
 * This process's peak resident memory. VmHWM, not getrusage's maxrss: Linux carries maxrss over
 * from the parent across fork and exec, so a child would report the benchmark's own peak.
 */
function peakRssMb() {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (kb) return Number(kb[1]) / 1024;
  } catch {}
  return process.resourceUsage().maxRSS / 1024;
}

/** The longest the calling thread was blocked while `work` ran, in ms. */
async function longestBlock(work) {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  await new Promise((r) => setTimeout(r, 20));
  await work();
  await new Promise((r) => setTimeout(r, 20));
  h.disable();
  return h.max / 1e6;
}

async function measure(size, spec, reps, dir) {
  const p = product();
  const { generateDatabase } = require('./generateDatabase');
  const genStarted = performance.now();
  const { dbPath, bytes } = await generateDatabase(path.join(dir, size), spec);
  const dbMb = mb(bytes);
  const note = (s) => process.stderr.write(`  ${size}: ${s}\n`);
  note(`generated ${dbMb.toFixed(0)} MB in ${((performance.now() - genStarted) / 1000).toFixed(0)} s`);
  const project = busiestProject(dbPath);
  const rows = [];
  const row = (metric, ours, native, peak, extra = {}) =>
    rows.push({ metric, db_mb: round(dbMb), ours_ms: round(ours, 2), native_ms: round(native, 2), ratio: native ? round(ours / native, 2) : null, peak_rss_mb: round(peak), ...extra });

  const writer = new OpenWriter(dbPath);
  await writer.ready();
  try {
    // Warm the OS page cache once for both sides, so neither pays the disk and the other not.
    fs.readFileSync(dbPath);
    // 1 + 3. First paint and its peak memory, each repetition in a fresh process.
    const ours = [];
    const native = [];
    for (let i = 0; i < reps; i++) {
      ours.push(inChild('ours', dbPath, project));
      native.push(inChild('native', dbPath, project));
    }
    note('first paint measured');
    const firstPaint = median(ours.map((o) => o.ms));
    row('first_paint', firstPaint, median(native.map((o) => o.ms)), median(ours.map((o) => o.peakRssMb)));
    row('peak_memory', null, null, median(ours.map((o) => o.peakRssMb)), { ratio: round(median(ours.map((o) => o.peakRssMb)) / dbMb, 2) });
    row('peak_memory_native', null, null, median(native.map((o) => o.peakRssMb)), { ratio: round(median(native.map((o) => o.peakRssMb)) / dbMb, 2) });

    // 2 + 4. Refresh after one small commit by another process (left in the -wal), warm on both sides.
    const client = p.newClient();
    await client.read(dbPath, 'overview', overviewRequest(project));
    const { DatabaseSync } = require('node:sqlite');
    const nativeDb = new DatabaseSync(dbPath, { readOnly: true });
    nativeOverview(p, dbPath, project, nativeDb);
    // Archon mostly updates its newest runs; a person may also cancel or resume an old one.
    for (const [metric, oldest] of [['refresh_after_commit', false], ['refresh_after_old_run_commit', true]]) {
      const refresh = { ours: [], native: [], block: [], nativeBlock: [], modes: new Set(), frames: [] };
      for (let i = 0; i < reps; i++) {
        const { id } = await writer.send({ op: 'pick', status: i % 2 ? 'failed' : 'completed', oldest });
        await writer.send({ op: 'set-status', id, status: i % 2 ? 'completed' : 'failed' });
        let result;
        refresh.block.push(
          await longestBlock(async () => {
            const t = performance.now();
            result = await client.read(dbPath, 'overview', overviewRequest(project));
            refresh.ours.push(performance.now() - t);
          }),
        );
        refresh.modes.add(result.stats.mode);
        refresh.frames.push(result.stats.walFrames);
        refresh.nativeBlock.push(
          await longestBlock(async () => {
            const t = performance.now();
            nativeOverview(p, dbPath, project, nativeDb);
            refresh.native.push(performance.now() - t);
          }),
        );
      }
      note(`${metric} measured (${[...refresh.modes].join('/')}, ${median(refresh.frames)} log frames read)`);
      row(metric, median(refresh.ours), median(refresh.native), null, { ratio: round(median(refresh.ours) / firstPaint, 3) });
      if (!oldest) row('host_thread_block', median(refresh.block), median(refresh.nativeBlock), null);
    }
    nativeDb.close();
    client.dispose();

    // 5. Resume and cancel, uncontended, per writer engine.
    for (const [engine, make] of Object.entries(p.writers)) {
      const w = await make();
      if (!w) {
        note(`${engine}: not available, skipped`);
        continue;
      }
      // Paused runs have no error to clear; failed ones do, and their resume also writes a
      // workflow_resumed event, whose event_order Archon's trigger computes with max() over all events.
      const times = { resume: [], resume_with_event: [], cancel: [] };
      for (let i = 0; i < reps + 1; i++) {
        for (const [status, metric] of [['paused', 'resume'], ['failed', 'resume_with_event']]) {
          const { id } = await writer.send({ op: 'pick', status });
          let t = performance.now();
          const r = await p.operations.resumeRun(w, dbPath, id);
          const resumeMs = performance.now() - t;
          t = performance.now();
          const c = await p.operations.cancelRun(w, dbPath, id);
          const cancelMs = performance.now() - t;
          if (r.outcome !== 'resumed' || c.outcome !== 'cancelled') throw new Error(`${engine}: ${r.outcome}/${c.outcome}`);
          // The first round starts the engine (a thread or a process): reported apart from the rest.
          if (i === 0) {
            if (metric === 'resume') row(`first_write_${engine}`, resumeMs, null, null);
            continue;
          }
          times[metric].push(resumeMs);
          times.cancel.push(cancelMs);
        }
      }
      w.dispose?.();
      for (const [metric, ms] of Object.entries(times)) row(`${metric}_${engine}`, median(ms), null, null);
    }
  } finally {
    writer.stop();
  }
  return rows;
}

/** The project folder with the most runs: the workspace the tree is scoped to. */
function busiestProject(dbPath) {
  const { DatabaseSync } = require('node:sqlite');
  const db = new DatabaseSync(dbPath, { readOnly: true });
  const row = db
    .prepare('SELECT working_path AS p, count(*) AS n FROM remote_agent_workflow_runs WHERE working_path LIKE ? GROUP BY 1 ORDER BY 2 DESC LIMIT 1')
    .get(`${PROJECT}/%`);
  db.close();
  return row ? row.p : PROJECT;
}

const TARGETS = {
  first_paint: (r) => ['<= 1.5x native', r.ratio <= 1.5],
  refresh_after_commit: (r) => ['<= 10% of first paint', r.ratio <= 0.1],
  refresh_after_old_run_commit: (r) => ['<= 10% of first paint', r.ratio <= 0.1],
  peak_memory: (r) => ['<= 1.5x file', r.ratio <= 1.5],
  host_thread_block: (r) => ['<= 50 ms', r.ours_ms <= 50],
  'resume_node-sqlite': (r) => ['<= 10 ms', r.ours_ms <= 10],
  'cancel_node-sqlite': (r) => ['<= 10 ms', r.ours_ms <= 10],
};

function printTable(rows) {
  const head = ['metric', 'db MB', 'ours ms', 'native ms', 'ratio', 'peak RSS MB', 'target'];
  const body = rows.map((r) => {
    const t = TARGETS[r.metric]?.(r);
    const show = (v) => (v === null || v === undefined ? '' : String(v));
    return [r.metric, show(r.db_mb), show(r.ours_ms), show(r.native_ms), show(r.ratio), show(r.peak_rss_mb), t ? `${t[0]}: ${t[1] ? 'met' : 'NOT met'}` : ''];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(line(b));
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!hasNodeSqlite()) {
    if (!fs.existsSync(paths.node24Bin)) {
      console.error(`The benchmark compares with node:sqlite, which Node ${process.version} lacks. Run \`npm test\` once (it installs Node 24), or run this with Node 22.13+.`);
      process.exit(1);
    }
    const r = spawnSync(paths.node24Bin, [__filename, ...process.argv.slice(2)], { stdio: 'inherit' });
    process.exit(r.status ?? 1);
  }
  if (args.child) return child(args.child);

  for (const [label, argv] of [
    ['build', [path.join(root, 'esbuild.js')]],
    ['compile', [require.resolve('typescript/bin/tsc'), '-p', root]],
  ]) {
    const r = spawnSync(process.execPath, argv, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`${label} failed`);
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const machine = `${cpu} (${os.cpus().length} cores), ${Math.round(os.totalmem() / 1024 ** 3)} GB RAM, Node ${process.version}, ${os.platform()} ${os.release()}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wr-bench-'));
  process.stderr.write(`machine: ${machine}\nmedian of ${args.reps} repetitions; databases in ${dir}\n`);
  const rows = [];
  try {
    for (const size of args.sizes) rows.push(...(await measure(size, SIZES[size], args.reps, dir)));
  } finally {
    if (!args.keep) fs.rmSync(dir, { recursive: true, force: true });
  }
  if (args.json) {
    console.log(JSON.stringify({ machine, reps: args.reps }));
    for (const r of rows) console.log(JSON.stringify(r));
  } else {
    console.log(`\nmachine: ${machine}; median of ${args.reps} repetitions\n`);
    printTable(rows);
    console.log('\nratio: ours/native; for refresh_*: refresh/first paint; for peak_memory: peak RSS/database size.');
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
