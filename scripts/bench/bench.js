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
  xl: { runs: 400_000, eventsPerRun: 4, messages: 40_000 }, // about 1.1 GB; not in the default run
};
/** The CLI figure's database: a few hundred runs, as most people's are. */
const CLI_RUNS = 400;
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
  const args = { json: false, reps: 5, sizes: ['small', 'large'], keep: false, postgres: false, child: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') args.json = true;
    else if (a === '--keep') args.keep = true;
    else if (a === '--postgres') args.postgres = true;
    else if (a === '--reps') args.reps = Math.max(5, Number(argv[++i]));
    else if (a === '--sizes') {
      args.sizes = argv[++i].split(',');
      const unknown = args.sizes.filter((size) => !SIZES[size]);
      if (unknown.length) throw new Error(`unknown size ${unknown.join(', ')}: one of ${Object.keys(SIZES).join(', ')}`);
    }
    else if (a === '--child') args.child = argv.slice(i + 1);
    else if (a === '--help') {
      console.log('usage: npm run bench -- [--json] [--reps N (>= 5)] [--sizes small,large,xl] [--keep] [--postgres]');
      console.log('  --postgres: PostgreSQL instead (a throwaway server, the runs of the large size), next to psql');
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
  const out = path.join(root, 'out', 'src', 'core', 'sqlite');
  const { ReaderClient } = require(path.join(out, 'readerClient.js'));
  return {
    newClient: () => new ReaderClient(path.join(root, 'dist', 'readerWorker.js')),
    RunReader: require(path.join(out, 'runReader.js')).RunReader,
    detectSchema: require(path.join(out, 'schema.js')).detectSchema,
    readOverview: require(path.join(out, 'overview.js')).readOverview,
    SnapshotDatabase: require(path.join(out, 'snapshot', 'snapshotDatabase.js')).SnapshotDatabase,
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
    const { value } = await client.read(dbPath, {}, 'overview', overviewRequest(project));
    client.dispose();
    if (!value.groups.length) throw new Error('nothing listed');
  } else if (what === 'native') {
    if (!nativeOverview(p, dbPath, project).groups.length) throw new Error('nothing listed');
  } else if (what === 'after-watch') {
    // As in a window: the status watch reads once the window starts (it starts the thread and
    // sql.js), and the view opens later; only the view's read is timed.
    const client = p.newClient();
    await client.read(dbPath, {}, 'watch', { folders: [project], completed: false });
    const t = performance.now();
    const { value } = await client.read(dbPath, {}, 'overview', overviewRequest(project));
    const ms = performance.now() - t;
    client.dispose();
    if (!value.groups.length) throw new Error('nothing listed');
    console.log(JSON.stringify({ ms, peakRssMb: peakRssMb() }));
    return;
  } else if (what === 'pg-first-paint') {
    return require('./postgresBench').firstPaintChild(dbPath, JSON.parse(project), peakRssMb);
  } else if (what === 'watch') {
    // The first status watch in a window that never shows the view.
    const client = p.newClient();
    await client.read(dbPath, {}, 'watch', { folders: [project], completed: false });
    client.dispose();
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
    rows.push({ metric, size, db_mb: round(dbMb), ours_ms: round(ours, 2), native_ms: round(native, 2), ratio: native ? round(ours / native, 2) : null, peak_rss_mb: round(peak), ...extra });

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
    await client.read(dbPath, {}, 'overview', overviewRequest(project));
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
            result = await client.read(dbPath, {}, 'overview', overviewRequest(project));
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

    // 6. The status watch, which reads on every change while the view is hidden: its first read in
    // a fresh process (thread start included, and the memory it takes), and a read after a commit.
    const firstWatch = [];
    for (let i = 0; i < reps; i++) firstWatch.push(inChild('watch', dbPath, project));
    row('status_watch_first', median(firstWatch.map((o) => o.ms)), null, median(firstWatch.map((o) => o.peakRssMb)));
    const afterWatch = [];
    for (let i = 0; i < reps; i++) afterWatch.push(inChild('after-watch', dbPath, project));
    const nativeFirst = rows.find((r) => r.metric === 'first_paint' && r.size === size).native_ms;
    row('first_paint_after_watch', median(afterWatch.map((o) => o.ms)), nativeFirst, median(afterWatch.map((o) => o.peakRssMb)));
    const watcher = p.newClient();
    const request = { folders: [project], completed: false };
    let memory = (await watcher.read(dbPath, {}, 'watch', request)).value.memory;
    const watchTimes = [];
    for (let i = 0; i < reps; i++) {
      const { id } = await writer.send({ op: 'pick', status: i % 2 ? 'failed' : 'completed' });
      await writer.send({ op: 'set-status', id, status: i % 2 ? 'completed' : 'failed' });
      const t = performance.now();
      memory = (await watcher.read(dbPath, {}, 'watch', { ...request, memory })).value.memory;
      watchTimes.push(performance.now() - t);
    }
    watcher.dispose();
    row('status_watch_after_commit', median(watchTimes), null, null, { ratio: round(median(watchTimes) / firstPaint, 3) });
    note('status watch measured');

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
  rows.push(...(await readsUnderChurn(p, dbPath, dbMb, project, reps, note)));
  return rows;
}

/** Churn's three numbers (see churnWriter.js): a read that sees them differ is torn. */
const INVARIANT = `SELECT (SELECT count(*) FROM churn_log) AS log, (SELECT total FROM churn_meta) AS total,
  (SELECT count(*) FROM remote_agent_workflow_runs WHERE workflow_name = 'churn') AS added`;

/**
 * reads_under_churn: for 10 s a full-speed writer commits (churnWriter.js) while this process reads
 * what the tree reads (the overview) plus the invariant, back to back, on one long-lived reader as
 * the extension keeps; once per path: guarded by node:sqlite, and unguarded (the fallback). Each is
 * set against the same read on the quiet database once the writer has stopped (a fresh reader per
 * read, as big as the database got).
 */
async function readsUnderChurn(p, generated, dbMb, project, reps, note) {
  const rows = [];
  const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
  for (const [name, guard] of [['guarded', 'node-sqlite'], ['fallback', 'none']]) {
    const dbPath = path.join(path.dirname(generated), `churn-${name}.db`);
    for (const suffix of ['', '-wal']) if (fs.existsSync(generated + suffix)) fs.copyFileSync(generated + suffix, dbPath + suffix);
    const use = (reader, db, pages) => ({ overview: p.readOverview(reader, overviewRequest(project), pages), counts: db.all(INVARIANT)[0] });
    const torn = (v) => !(v.counts.log === v.counts.total && v.counts.total === v.counts.added);
    // The writer needs its tables before the first read.
    spawnSync(process.execPath, [path.join(__dirname, 'churnWriter.js'), dbPath, '0']);
    const writer = spawn(process.execPath, [path.join(__dirname, 'churnWriter.js'), dbPath, '10000'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const wrote = new Promise((resolve) => {
      let out = '';
      writer.stdout.on('data', (d) => (out += d));
      writer.on('close', () => resolve(JSON.parse(out || '{}')));
    });
    // Reads start once the writer has the database open (it has a -wal then), as with a running Archon.
    while (!fs.existsSync(`${dbPath}-wal`) && writer.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 5));
    const live = await p.SnapshotDatabase.open(dbPath, { guard });
    const result = { reads: 0, answered: 0, torn: 0, times: [], paths: new Set() };
    while (writer.exitCode === null) {
      // A read that never waits would keep this loop from seeing the writer end.
      await new Promise((resolve) => setImmediate(resolve));
      const t = performance.now();
      try {
        const { value, stats } = await live.read(use);
        result.answered++;
        result.paths.add(stats.path);
        if (torn(value)) result.torn++;
      } catch (err) {
        if (!/changed during every read/.test(err.message)) throw err;
      }
      result.times.push(performance.now() - t);
      result.reads++;
    }
    live.close();
    const writes = await wrote;
    const quiet = [];
    for (let i = 0; i < reps; i++) {
      const fresh = await p.SnapshotDatabase.open(dbPath, { guard });
      const t = performance.now();
      await fresh.read(use);
      quiet.push(performance.now() - t);
      fresh.close();
    }
    const endMb = mb(fs.statSync(dbPath).size + (fs.existsSync(`${dbPath}-wal`) ? fs.statSync(`${dbPath}-wal`).size : 0));
    note(`reads_under_churn ${name}: ${result.reads} reads (${[...result.paths].join('/')}) during ${writes.commits} commits (checkpoints ${writes.checkpoints.done} done, ${writes.checkpoints.blocked} blocked), ${dbMb.toFixed(0)} -> ${endMb.toFixed(0)} MB`);
    rows.push({
      metric: 'reads_under_churn',
      path: name,
      db_mb: round(endMb),
      reads: result.reads,
      answered_pct: round((100 * result.answered) / Math.max(1, result.reads)),
      torn: result.torn,
      p50_ms: round(quantile(result.times, 0.5)),
      p95_ms: round(quantile(result.times, 0.95)),
      quiet_p95_ms: round(quantile(quiet, 0.95)),
      ratio: round(quantile(result.times, 0.95) / quantile(quiet, 0.95), 2),
    });
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(dbPath + suffix, { force: true });
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

/**
 * cli_list: one `workflow-runs list --json` on a 400-run database, a fresh process each time as
 * scripts call it, next to a bare `node -e 0` (the floor any Node program pays).
 */
async function cliFigure(reps, dir) {
  const { generateDatabase } = require('./generateDatabase');
  const { dbPath, bytes } = await generateDatabase(path.join(dir, 'cli'), { runs: CLI_RUNS, messages: 0, walRuns: 20 });
  const cli = path.join(root, 'dist', 'cli.js');
  const time = (argv) => {
    const t = performance.now();
    const r = spawnSync(process.execPath, argv, { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } });
    if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
    return performance.now() - t;
  };
  const ours = [];
  const bare = [];
  for (let i = 0; i < reps; i++) {
    ours.push(time([cli, 'list', '--db', dbPath, '--json']));
    bare.push(time(['-e', '0']));
  }
  return { metric: 'cli_list', db_mb: round(mb(bytes)), ours_ms: round(median(ours), 1), native_ms: round(median(bare), 1), ratio: round(median(ours) / median(bare), 2), peak_rss_mb: null };
}

const TARGETS = {
  cli_list: (r) => ['<= 2x a bare node start', r.ratio <= 2],
  // Most Archon databases are small: there a first paint may pay the fixed costs up to 3x native.
  first_paint: (r) => (r.size === 'small' ? ['<= 3x native', r.ratio <= 3] : ['<= 1.5x native', r.ratio <= 1.5]),
  refresh_after_commit: (r) => ['<= 10% of first paint', r.ratio <= 0.1],
  refresh_after_old_run_commit: (r) => ['<= 10% of first paint', r.ratio <= 0.1],
  status_watch_after_commit: (r) => ['<= 10% of first paint', r.ratio <= 0.1],
  // Node's own floor (about 50 MB) is above half a small file: no target there.
  peak_memory: (r) =>
    r.size === 'large' ? ['<= 0.5x file', r.ratio <= 0.5] : r.size === 'xl' ? ['<= 400 MB', r.peak_rss_mb <= 400] : undefined,
  host_thread_block: (r) => ['<= 50 ms', r.ours_ms <= 50],
  'resume_node-sqlite': (r) => ['<= 10 ms', r.ours_ms <= 10],
  'cancel_node-sqlite': (r) => ['<= 10 ms', r.ours_ms <= 10],
  reads_under_churn: (r) =>
    r.path === 'guarded' ? ['100% answered, 0 torn, p95 <= 3x quiet', r.answered_pct === 100 && r.torn === 0 && r.ratio <= 3] : ['0 torn', r.torn === 0],
};

function printTable(rows) {
  const head = ['metric', 'db MB', 'ours ms', 'native ms', 'ratio', 'peak RSS MB', 'target'];
  const show = (v) => (v === null || v === undefined ? '' : String(v));
  const verdict = (r) => {
    const t = TARGETS[r.metric]?.(r);
    return t ? `${t[0]}: ${t[1] ? 'met' : 'NOT met'}` : '';
  };
  const body = rows.map((r) =>
    r.metric === 'reads_under_churn'
      ? [`${r.metric} (${r.path})`, show(r.db_mb), `p50 ${r.p50_ms}, p95 ${r.p95_ms}`, `quiet p95 ${r.quiet_p95_ms}`, show(r.ratio), `${r.reads} reads, ${r.answered_pct}% answered, ${r.torn} torn`, verdict(r)]
      : [r.metric, show(r.db_mb), show(r.ours_ms), show(r.native_ms), show(r.ratio), show(r.peak_rss_mb), verdict(r)],
  );
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
    if (args.postgres) {
      const { postgresBench } = require('./postgresBench');
      const note = (s) => process.stderr.write(`  postgres: ${s}\n`);
      const found = await postgresBench({ reps: args.reps, ...SIZES.large, overviewRequest, projectPrefix: PROJECT, inChild, median, note });
      rows.push(...found.map((r) => ({ ...r, ours_ms: round(r.ours_ms, 2), native_ms: round(r.native_ms, 2), ratio: round(r.ratio, 2), peak_rss_mb: round(r.peak_rss_mb) })));
    } else {
      rows.push(await cliFigure(args.reps, dir));
      for (const size of args.sizes) rows.push(...(await measure(size, SIZES[size], args.reps, dir)));
    }
  } finally {
    if (!args.keep) fs.rmSync(dir, { recursive: true, force: true });
  }
  if (args.json) {
    console.log(JSON.stringify({ machine, reps: args.reps }));
    for (const r of rows) console.log(JSON.stringify(r));
  } else {
    console.log(`\nmachine: ${machine}; median of ${args.reps} repetitions\n`);
    printTable(rows);
    if (args.postgres) {
      console.log('\nnative: the same statements with the same values through psql (first paint: a fresh psql process; refresh: a psql session kept open); ratio: ours/psql;');
      console.log('notify_to_refresh: from another connection committing an event to the refreshed overview, through LISTEN.');
    } else {
      console.log('\nratio: ours/native; for refresh_* and status_watch_after_commit: that read/first paint; for peak_memory: peak RSS/database size;');
      console.log('for reads_under_churn: p95 under the writer / p95 of the same read on the quiet database (the peak RSS column holds the read counts).');
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
