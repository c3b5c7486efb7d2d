// The PostgreSQL half of the benchmark (`npm run bench -- --postgres`): a throwaway server
// (scripts/postgres/server.js), Archon's schema (test/fixtures/archon-schema.pg.sql) loaded with the
// same generated runs as the SQLite "large" database, and the extension's reads next to the very
// statements they send, replayed through psql with the same bound values (PREPARE/EXECUTE).
//   first_paint:   a fresh process's first overview (connect, column lookup, queries) vs a fresh
//                  psql process running the same statements (its process start and connect included)
//   refresh_after_commit: the overview again on the warm reader after another connection committed,
//                  vs the same statements in a psql session kept open
//   notify_to_refresh: from another connection's COMMIT of an event to the refreshed overview, through
//                  LISTEN (the extension's path)
//   resume/cancel: one transaction each, uncontended
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');

const root = path.resolve(__dirname, '..', '..');
const PG_SCHEMA = path.join(root, 'test', 'fixtures', 'archon-schema.pg.sql');
const BATCH = 1000;

function product() {
  const out = path.join(root, 'out', 'src', 'core', 'postgres');
  return {
    PostgresReader: require(path.join(out, 'postgresReader.js')).PostgresReader,
    PostgresWriter: require(path.join(out, 'postgresWriter.js')).PostgresWriter,
    PostgresListener: require(path.join(out, 'postgresListener.js')).PostgresListener,
  };
}

/** The generator's rows as PostgreSQL takes them: its ids are 32 hex digits (a UUID's text); user ids are not UUIDs there. */
function pgValues(table, values) {
  if (table === 'conversation') values[7] = Boolean(values[7]);
  if (table === 'run') values[10] = null;
  return values;
}

/** Loads the generated rows with multi-row INSERTs, `BATCH` rows each. */
async function load(client, runs, eventsPerRun) {
  const { rows, SQL } = require('./generateDatabase');
  const columns = Object.fromEntries(Object.entries(SQL).map(([k, sql]) => [k, /\(([^)]*)\) VALUES/.exec(sql)[1]]));
  const tables = Object.fromEntries(Object.entries(SQL).map(([k, sql]) => [k, /INSERT INTO (\w+)/.exec(sql)[1]]));
  let pending = { table: undefined, values: [] };
  const flush = async () => {
    const { table, values } = pending;
    if (!values.length) return;
    const width = values[0].length;
    const tuples = values.map((_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(',')})`);
    await client.query(`INSERT INTO ${tables[table]} (${columns[table]}) VALUES ${tuples.join(',')}`, values.flat());
    pending = { table: undefined, values: [] };
  };
  for (const [table, values] of rows({ runs, eventsPerRun, messages: 0 }, Date.now())) {
    if (table !== pending.table || pending.values.length === BATCH) {
      await flush();
      pending.table = table;
    }
    pending.values.push(pgValues(table, values));
  }
  await flush();
  // The generator numbers events itself; the sequence continues after them, as Archon's would.
  await client.query("SELECT setval('remote_agent_workflow_events_event_order_seq', (SELECT max(event_order) FROM remote_agent_workflow_events))");
  await client.query('ANALYZE');
}

/** A value as an SQL literal, for EXECUTE. */
function literal(v) {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number') return String(v);
  return `'${String(v).replace(/'/g, "''")}'`;
}

/** The statements `work` sends through node-postgres, recorded from the client's query calls. */
async function recordStatements(pg, work) {
  const statements = [];
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (text, values, ...rest) {
    if (typeof text === 'string') statements.push({ text, values: Array.isArray(values) ? values : [] });
    return original.call(this, text, values, ...rest);
  };
  try {
    await work();
  } finally {
    pg.Client.prototype.query = original;
  }
  return statements;
}

/** The same statements as a psql script: each with values as PREPARE and EXECUTE. */
function psqlScript(statements) {
  const lines = [];
  statements.forEach(({ text, values }, i) => {
    if (!values.length) lines.push(`${text};`);
    else lines.push(`PREPARE wr${i} AS ${text};`, `EXECUTE wr${i}(${values.map(literal).join(', ')});`);
  });
  lines.push('DEALLOCATE ALL;');
  return lines.join('\n') + '\n';
}

/** A psql session kept open: runs a script and answers when psql has printed the marker after it. */
class PsqlSession {
  constructor(psql, url) {
    this.child = spawn(psql, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', url], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.lines = readline.createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
    this.child.stdin.write('\\o /dev/null\n');
    this.n = 0;
  }
  async run(script) {
    const marker = `wr-done-${++this.n}`;
    const started = performance.now();
    this.child.stdin.write(`${script}\\echo ${marker}\n`);
    for (;;) {
      const { value, done } = await this.lines.next();
      if (done) throw new Error('psql ended');
      if (value === marker) return performance.now() - started;
    }
  }
  stop() {
    this.child.stdin.end();
  }
}

/** Child process body: the first overview of a fresh process, and its peak memory. */
async function firstPaintChild(url, request, peakRssMb) {
  const { PostgresReader } = product();
  const started = performance.now();
  const reader = new PostgresReader(url);
  const { value } = await reader.read('overview', request);
  const ms = performance.now() - started;
  reader.dispose();
  if (!value.groups.length) throw new Error('nothing listed');
  console.log(JSON.stringify({ ms, peakRssMb: peakRssMb() }));
}

async function postgresBench({ reps, runs, eventsPerRun, overviewRequest, projectPrefix, inChild, median, note }) {
  const { startPostgres, binDir } = require('../postgres/server');
  const pg = require('pg');
  const p = product();
  const server = await startPostgres();
  const url = server.url();
  const psql = path.join(binDir(), 'psql');
  const rows = [];
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query('SET client_min_messages = warning');
    await admin.query(fs.readFileSync(PG_SCHEMA, 'utf8'));
    const t0 = performance.now();
    await load(admin, runs, eventsPerRun);
    const size = (await admin.query('SELECT pg_database_size(current_database())::float8 AS b')).rows[0].b / 1024 / 1024;
    note(`loaded ${runs} runs in ${((performance.now() - t0) / 1000).toFixed(0)} s (database ${size.toFixed(0)} MB)`);
    const { rows: busiest } = await admin.query(
      'SELECT working_path AS p FROM remote_agent_workflow_runs WHERE working_path LIKE $1 GROUP BY 1 ORDER BY count(*) DESC LIMIT 1',
      [`${projectPrefix}/%`],
    );
    const request = overviewRequest(busiest[0]?.p ?? projectPrefix);

    // The statements of a first read (with the column lookup) and of a later one, as sent.
    const recorder = new p.PostgresReader(url);
    const cold = await recordStatements(pg, () => recorder.read('overview', request));
    const warm = await recordStatements(pg, () => recorder.read('overview', request));
    recorder.dispose();
    const coldScript = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wr-bench-pg-')), 'first.sql');
    fs.writeFileSync(coldScript, psqlScript(cold));
    note(`first read: ${cold.length} statements, later reads: ${warm.length}`);

    const ours = [];
    const native = [];
    for (let i = 0; i < reps; i++) {
      ours.push(inChild('pg-first-paint', url, JSON.stringify(request)));
      const t = performance.now();
      const r = spawnSync(psql, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-o', '/dev/null', '-f', coldScript, url], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`psql: ${r.stderr}`);
      native.push(performance.now() - t);
    }
    const firstPaint = median(ours.map((o) => o.ms));
    const row = (metric, oursMs, nativeMs, extra = {}) =>
      rows.push({ metric, db_mb: Number(size.toFixed(1)), ours_ms: oursMs, native_ms: nativeMs, ratio: nativeMs ? oursMs / nativeMs : null, peak_rss_mb: null, ...extra });
    row('pg_first_paint', firstPaint, median(native), { peak_rss_mb: median(ours.map((o) => o.peakRssMb)) });
    note('first paint measured');

    // Refresh after another connection's commit (a status change and its event), warm on both sides.
    const reader = new p.PostgresReader(url);
    await reader.read('overview', request);
    const session = new PsqlSession(psql, url);
    const warmScript = psqlScript(warm);
    await session.run(warmScript);
    const commit = async (i) => {
      const status = i % 2 ? 'failed' : 'completed';
      await admin.query('BEGIN');
      const { rows: picked } = await admin.query('SELECT id FROM remote_agent_workflow_runs WHERE status = $1 ORDER BY started_at DESC LIMIT 1', [status]);
      await admin.query("UPDATE remote_agent_workflow_runs SET status = $2, last_activity_at = NOW() WHERE id = $1", [picked[0].id, i % 2 ? 'completed' : 'failed']);
      await admin.query("INSERT INTO remote_agent_workflow_events (workflow_run_id, event_type, data) VALUES ($1, 'node_completed', '{}')", [picked[0].id]);
      await admin.query('COMMIT');
    };
    const refresh = { ours: [], native: [] };
    for (let i = 0; i < reps; i++) {
      await commit(i);
      const t = performance.now();
      await reader.read('overview', request);
      refresh.ours.push(performance.now() - t);
      refresh.native.push(await session.run(warmScript));
    }
    session.stop();
    row('pg_refresh_after_commit', median(refresh.ours), median(refresh.native));

    // From another connection's COMMIT of an event to the refreshed overview, through LISTEN.
    let heard;
    const listener = new p.PostgresListener(url, () => heard?.());
    await new Promise((resolve) => setTimeout(resolve, 500)); // the listener connects
    const notified = [];
    for (let i = 0; i < reps; i++) {
      const got = new Promise((resolve) => (heard = resolve));
      const t = performance.now();
      await commit(i + reps);
      await got;
      await reader.read('overview', request);
      notified.push(performance.now() - t);
    }
    listener.dispose();
    reader.dispose();
    row('pg_notify_to_refresh', median(notified), null);
    note('refresh measured');

    // Resume and cancel, uncontended: one transaction each on the server.
    const writer = new p.PostgresWriter(url);
    const times = { resume: [], cancel: [] };
    for (let i = 0; i < reps + 1; i++) {
      const { rows: picked } = await admin.query("SELECT id::text AS id FROM remote_agent_workflow_runs WHERE status = 'failed' ORDER BY started_at DESC LIMIT 1");
      let t = performance.now();
      const r = await writer.resume(picked[0].id);
      const resumeMs = performance.now() - t;
      t = performance.now();
      const c = await writer.cancel(picked[0].id);
      const cancelMs = performance.now() - t;
      if (r.outcome !== 'resumed' || c.outcome !== 'cancelled') throw new Error(`postgres: ${r.outcome}/${c.outcome}`);
      if (i === 0) continue; // the first opens the pool's connection
      times.resume.push(resumeMs);
      times.cancel.push(cancelMs);
    }
    writer.dispose();
    row('pg_resume', median(times.resume), null);
    row('pg_cancel', median(times.cancel), null);
    fs.rmSync(path.dirname(coldScript), { recursive: true, force: true });
  } finally {
    await admin.end().catch(() => undefined);
    await server.stop();
  }
  return rows;
}

module.exports = { postgresBench, firstPaintChild };
