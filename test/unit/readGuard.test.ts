import * as assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { OverviewRequest } from '../../src/core/model/overview';
import { readOverview } from '../../src/core/sqlite/overview';
import type { Queryable } from '../../src/core/sqlite/queryable';
import type { WorkflowRunsError } from '../../src/core/model/errors';
import { NodeSqliteGuard } from '../../src/core/sqlite/readGuards/nodeSqliteGuard';
import { GUARD_BUSY_TIMEOUT_MS, type GuardChoice, type GuardLease, type ReadGuard } from '../../src/core/sqlite/readGuards/readGuard';
import { selectReadGuard } from '../../src/core/sqlite/readGuards/selectReadGuard';
import { SqliteShellGuard } from '../../src/core/sqlite/readGuards/sqliteShellGuard';
import { loadNodeSqlite } from '../../src/core/sqlite/writers/nodeSqliteWriter';
import { type ReadStats, SnapshotDatabase } from '../../src/core/sqlite/snapshot/snapshotDatabase';
import { UNGUARDED_BUDGET_MS } from '../../src/core/sqlite/snapshot/snapshotFile';
import { Churn, CHURN_SCHEMA, churnInvariantSql } from '../support/churn';
import { archonDb, cleanupTempDirs, CURRENT_SCHEMA, insertRun, insertRunSql, REPO_ROOT, tempDir } from '../support/fixtures';

const MB = 1024 * 1024;
const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const first = (db: Queryable, sql: string) => Object.values(db.all(sql)[0] ?? {})[0];

function sqlite3(file: string, sql: string): string {
  return execFileSync('sqlite3', ['-init', '/dev/null', '-batch', '-bail', file], { input: sql, encoding: 'utf8' });
}

/** A database holding Churn's tables, in WAL mode, nobody connected yet. */
function churnDb(): string {
  const file = path.join(tempDir(), 'archon.db');
  sqlite3(file, `${CURRENT_SCHEMA};\n${CHURN_SCHEMA}`);
  return file;
}

function sizeOf(file: string): number {
  return [file, `${file}-wal`].reduce((n, f) => n + (fs.existsSync(f) ? fs.statSync(f).size : 0), 0);
}

/** The three numbers every commit of the writer keeps equal: a read that sees them differ is torn. */
function invariant(q: Queryable): [number, number, number] {
  const row = q.all(churnInvariantSql('runs'))[0];
  return [Number(row.log), Number(row.total), Number(row.added)];
}

/** Like a busy Archon running workflows in parallel: 10-run batches of about 1.2 KB a run, nonstop. */
const BUSY_ARCHON = { batch: 10, padding: 1100, rows: 'runs' } as const;

const OVERVIEW: OverviewRequest = { base: {}, statuses: [], limits: {}, defaultLimit: 25 };

const GUARDS: { guard: GuardChoice; skip?: string }[] = [
  { guard: 'node-sqlite', skip: loadNodeSqlite() ? undefined : `node:sqlite is not in Node ${process.versions.node}` },
  { guard: 'sqlite3' },
];

describe('reads under a read guard', function () {
  this.timeout(600000);
  after(cleanupTempDirs);

  for (const { guard, skip } of GUARDS) {
    describe(`guarded by ${guard}`, () => {
      before(function () {
        if (skip) {
          console.log(`      (skipped: ${skip})`);
          this.skip();
        }
      });

      it('every read answers in one pass and none is torn, over 200 reads while a full-speed writer grows the file past 100 MB', async () => {
        const file = churnDb();
        // 10-row batches of about 1.2 KB a row, checkpointing every 20 commits in turn PASSIVE, RESTART, TRUNCATE.
        const churn = new Churn(file, { checkpointEvery: 20, ...BUSY_ARCHON });
        await churn.firstCommit();
        const live = await SnapshotDatabase.open(file, { guard });
        const times: number[] = [];
        const held: number[] = [];
        let reads = 0;
        let overwritten = 0;
        let last = 0;
        const until = Date.now() + 400000;
        try {
          while (reads < 200 || sizeOf(file) < 100 * MB) {
            await yieldToWriter();
            assert.ok(Date.now() < until, `only ${reads} reads and ${Math.round(sizeOf(file) / MB)} MB in the time allowed`);
            // Every tenth read is a fresh one that reads everything; every fiftieth checks the whole file.
            const fresh = reads % 10 === 9 ? await SnapshotDatabase.open(file, { guard }) : undefined;
            const started = performance.now();
            // What the tree reads (the overview), the invariant, and now and then the whole file's structure.
            const { value, stats } = await (fresh ?? live).read((reader, q, pages) => ({
              overview: readOverview(reader, OVERVIEW, pages),
              counts: invariant(q),
              ok: reads % 50 === 25 ? first(q, 'PRAGMA quick_check') : 'ok',
            }));
            times.push(performance.now() - started);
            fresh?.close();
            reads++;
            assert.equal(stats.path, 'guarded', `read ${reads}: ${stats.guard}`);
            assert.equal(stats.attempts, 1);
            held.push(stats.heldMs!);
            if (stats.logOverwritten) overwritten++;
            const [log, total, added] = value.counts;
            assert.ok(log === total && total === added, `read ${reads} torn: ${log}/${total}/${added}`);
            const shown = value.overview.overview.groups.reduce((n, g) => n + g.count, 0);
            assert.equal(shown, total + 1, `read ${reads}: the overview counts every run`);
            assert.equal(value.ok, 'ok', `read ${reads} quick_check`);
            assert.ok(total >= last, 'never goes back in time');
            last = total;
          }
        } finally {
          live.close();
          const acked = await churn.stop();
          const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
          console.log(
            `      ${reads} reads, all answered, 0 torn, during ${acked} commits to ${Math.round(sizeOf(file) / MB)} MB; read median ${median(times).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms; guard held median ${median(held).toFixed(0)} ms, max ${Math.max(...held).toFixed(0)} ms; ${overwritten} with the log restarted under them; checkpoints ${churn.checkpoints.done} done, ${churn.checkpoints.blocked} blocked`,
          );
        }
      });

      it('a writer checkpointing with TRUNCATE after every commit keeps making progress while reads run back to back', async () => {
        const file = churnDb();
        const churn = new Churn(file, { checkpointEvery: 1, checkpointModes: ['TRUNCATE'], ...BUSY_ARCHON });
        await churn.firstCommit();
        const reading = await SnapshotDatabase.open(file, { guard });
        let reads = 0;
        try {
          const before = { commits: churn.acknowledged, truncated: churn.checkpoints.done };
          for (const until = Date.now() + 5000; Date.now() < until; reads++) {
            await yieldToWriter();
            const { value, stats } = await reading.read((_, q) => invariant(q));
            assert.equal(stats.path, 'guarded');
            assert.ok(value[0] === value[1] && value[1] === value[2], `torn: ${value}`);
          }
          const commits = churn.acknowledged - before.commits;
          const truncated = churn.checkpoints.done - before.truncated;
          console.log(`      in 5 s: ${reads} reads; the writer made ${commits} commits and ${truncated} TRUNCATE checkpoints`);
          assert.ok(commits >= 50 && truncated >= 50, `the writer was held up: ${commits} commits, ${truncated} checkpoints in 5 s`);
        } finally {
          reading.close();
          await churn.stop();
        }
      });

      it('a log truncated between the reads of its header and its frames (a guard on read mark 0 allows that) is read again, never half', async () => {
        const live = await archonDb();
        let reading: SnapshotDatabase | undefined;
        // The module the reader's own file reads go through: the truncation is made at the moment it opens the log a second time.
        const files: typeof fs = require('node:fs');
        const openSync = files.openSync;
        try {
          await live.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
            INSERT INTO remote_agent_workflow_runs (id, conversation_id, workflow_name, user_message, status)
            SELECT printf('run-%05d', i), 'conv-1', 'wf', hex(randomblob(400)), 'failed' FROM n`);
          await live.exec('PRAGMA wal_checkpoint(TRUNCATE)');
          await insertRun(live, { id: 'newest', status: 'paused' });
          reading = await SnapshotDatabase.open(live.path, { guard });
          const statuses = (q: Queryable) => q.all("SELECT status FROM remote_agent_workflow_runs WHERE id IN ('newest', 'run-00001') ORDER BY id").map((r) => r.status);
          // The first read reads the newest run's page only.
          assert.equal((await reading.read((_, q) => first(q, "SELECT status FROM remote_agent_workflow_runs WHERE id = 'newest'"))).value, 'paused');
          // One commit changes both runs (the newest one's page is also in the log already read), and a
          // checkpoint copies all of it into the main file: the next guard begins on read mark 0.
          await live.exec(`UPDATE remote_agent_workflow_runs SET status = 'completed' WHERE id IN ('newest', 'run-00001'); PRAGMA wal_checkpoint(PASSIVE);`);
          let opens = 0;
          files.openSync = function (this: unknown, ...args: Parameters<typeof fs.openSync>) {
            if (args[0] === `${live.path}-wal` && ++opens === 2) sqlite3(live.path, 'PRAGMA wal_checkpoint(TRUNCATE);');
            return openSync.apply(this, args);
          } as typeof fs.openSync;
          const { value, stats } = await reading.read((_, q) => statuses(q));
          files.openSync = openSync;
          assert.ok(opens >= 2 && fs.statSync(`${live.path}-wal`).size === 0, 'the log was truncated between the two reads');
          assert.equal(stats.path, 'guarded');
          assert.deepEqual(value, ['completed', 'completed'], 'both runs as the main file now holds them, never one old and one new');
        } finally {
          files.openSync = openSync;
          reading?.close();
          await live.close();
        }
      });

      it('a log restarted and written over while a full read reads its frames (a guard on read mark 0 allows that) is read again, never half', async () => {
        const live = await archonDb();
        let reading: SnapshotDatabase | undefined;
        // The module the reader's file reads go through: the log is restarted at the moment the reader has read its first commit's frames.
        const files: typeof fs = require('node:fs');
        const { openSync, readSync } = files;
        try {
          // One row a page; commit A changes rows 1 and 2, commit B rows 2 and 3: a read of A's frames alone over
          // a main file that holds B shows row 2 without B's change and row 3 with it.
          const pad = (tag: string) => `'${tag}' || hex(zeroblob(1400))`;
          await live.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5) INSERT INTO t SELECT i, ${pad('0')} FROM n;
            PRAGMA wal_checkpoint(TRUNCATE);`);
          await live.exec(`UPDATE t SET v = ${pad('A')} WHERE id IN (1, 2)`);
          const frameSize = 24 + 4096;
          const afterA = fs.statSync(`${live.path}-wal`).size;
          await live.exec(`UPDATE t SET v = ${pad('B')} WHERE id IN (2, 3)`);
          // Everything copied into the main file, the log kept: the next guard begins on read mark 0.
          await live.exec('PRAGMA wal_checkpoint(PASSIVE)');
          assert.equal((afterA - 32) % frameSize, 0);
          reading = await SnapshotDatabase.open(live.path, { guard });
          const wal = new Set<number>();
          let restarted = false;
          const read = readSync as (fd: number, into: NodeJS.ArrayBufferView, offset: number, length: number, position: number) => number;
          files.openSync = function (this: unknown, ...args: Parameters<typeof fs.openSync>) {
            const fd = openSync.apply(this, args);
            if (args[0] === `${live.path}-wal`) wal.add(fd);
            return fd;
          } as typeof fs.openSync;
          files.readSync = function (fd: number, into: NodeJS.ArrayBufferView, offset: number, length: number, position: number) {
            if (restarted || !wal.has(fd) || position + length <= afterA) return read(fd, into, offset, length, position);
            // The reader has read commit A's frames; another process restarts the log and writes three frames over its start.
            restarted = true;
            const head = afterA > position ? read(fd, into, offset, afterA - position, position) : 0;
            sqlite3(live.path, `PRAGMA wal_checkpoint(RESTART); UPDATE t SET v = ${pad('C')} WHERE id IN (1, 4, 5);`);
            return head + read(fd, into, offset + head, length - head, position + head);
          } as typeof fs.readSync;
          const { value, stats } = await reading.read((_, q) => first(q, 'SELECT group_concat(substr(v, 1, 1), \'\') FROM (SELECT v FROM t ORDER BY id)'));
          files.openSync = openSync;
          files.readSync = readSync;
          assert.ok(restarted, 'the log was restarted during the read');
          assert.equal(stats.path, 'guarded');
          assert.equal(value, 'CBBCC', 'commits A, B and C whole; never A without B (ABB00 or AAB00)');
        } finally {
          files.openSync = openSync;
          files.readSync = readSync;
          reading?.close();
          await live.close();
        }
      });

      it('a log restarted and written over while the queries run (a guard on read mark 0 allows that) is not read: its pages come from the main file, which holds them', async () => {
        const live = await archonDb();
        let reading: SnapshotDatabase | undefined;
        try {
          await live.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
            INSERT INTO remote_agent_workflow_runs (id, conversation_id, workflow_name, user_message, status)
            SELECT printf('run-%05d', i), 'conv-1', 'wf', hex(randomblob(400)), 'failed' FROM n`);
          await live.exec('PRAGMA wal_checkpoint(TRUNCATE)');
          // A log of a few frames, every one of them copied into the main file: a guard begins on read mark 0.
          await insertRun(live, { id: 'newest', status: 'paused' });
          await live.exec("UPDATE remote_agent_workflow_runs SET status = 'completed' WHERE id IN ('run-00001', 'run-00100', 'run-00200')");
          const [checkpoint] = await live.query('PRAGMA wal_checkpoint(PASSIVE)');
          assert.equal(checkpoint.log, checkpoint.checkpointed, 'every frame was copied into the main file');
          const indexed = fs.readFileSync(`${live.path}-wal`);
          reading = await SnapshotDatabase.open(live.path, { guard });
          const statuses = (q: Queryable) =>
            q.all("SELECT id, status FROM remote_agent_workflow_runs WHERE id IN ('newest', 'run-00001', 'run-00002', 'run-00100', 'run-00200') ORDER BY id").map((r) => `${r.id}:${r.status}`);
          const { value, stats } = await reading.read((_, q) => {
            // The log is indexed; no run page has been read yet. Another process restarts the log and
            // writes more frames over it than it had, before the queries read a page from it.
            sqlite3(live.path, "UPDATE remote_agent_workflow_runs SET status = 'cancelled';");
            return { statuses: statuses(q), ok: first(q, 'PRAGMA integrity_check') };
          });
          const now = fs.readFileSync(`${live.path}-wal`);
          assert.notDeepEqual(now.subarray(16, 24), indexed.subarray(16, 24), 'the log was restarted (new salts)');
          assert.ok(now.length >= indexed.length, 'its new frames cover every frame indexed');
          assert.equal(stats.path, 'guarded');
          assert.ok(stats.logOverwritten, 'a frame indexed no longer held its page, and the read noticed');
          assert.deepEqual(value, {
            statuses: ['newest:paused', 'run-00001:completed', 'run-00002:failed', 'run-00100:completed', 'run-00200:completed'],
            ok: 'ok',
          });
          // The next read sees the writer's commit, from the new log.
          assert.deepEqual((await reading.read((_, q) => statuses(q))).value, ['newest:cancelled', 'run-00001:cancelled', 'run-00002:cancelled', 'run-00100:cancelled', 'run-00200:cancelled']);
        } finally {
          reading?.close();
          await live.close();
        }
      });

      it('in a rollback-journal database the guard is a SHARED lock: a writer waits it out, and the read sees the state before it', async () => {
        const file = path.join(tempDir(), 'archon.db');
        sqlite3(file, `${CURRENT_SCHEMA};\nPRAGMA journal_mode = DELETE;\n${insertRunSql({ id: 'r1', status: 'failed' })};`);
        const reading = await SnapshotDatabase.open(file, { guard });
        let writerDone = 0;
        let releasedAt = 0;
        const writer = spawn('sqlite3', ['-init', '/dev/null', '-batch', '-bail', file], { stdio: ['pipe', 'pipe', 'pipe'] });
        let stderr = '';
        writer.stderr.on('data', (d) => (stderr += d));
        const finished = new Promise<number | null>((resolve) => writer.on('close', resolve));
        writer.stdout.on('data', (d: Buffer) => d.toString().includes('written') && (writerDone = performance.now()));
        try {
          const read = await reading.read((_, q) => {
            // The writer starts while the guard is held and must wait for it to end.
            writer.stdin.end(`.timeout 5000\nUPDATE remote_agent_workflow_runs SET status = 'cancelled';\nSELECT 'written';\n`);
            Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 400);
            return first(q, "SELECT status FROM remote_agent_workflow_runs WHERE id = 'r1'");
          });
          releasedAt = performance.now();
          assert.equal(read.value, 'failed', 'the read saw the state before the write');
          assert.equal(read.stats.path, 'guarded');
          assert.ok(read.stats.heldMs! < 2000, `held ${read.stats.heldMs} ms`);
          assert.equal(await finished, 0, `the writer waited and succeeded: ${stderr}`);
          assert.ok(writerDone >= releasedAt - 50, 'the write landed after the guard was released');
          assert.equal(sqlite3(file, "SELECT status FROM remote_agent_workflow_runs WHERE id = 'r1';").trim(), 'cancelled');
        } finally {
          reading.close();
        }
      });

      it('a writer holding a rollback-journal database past the busy timeout: the read is busy, says how long it waited, and reads nothing unguarded', async () => {
        const file = path.join(tempDir(), 'archon.db');
        sqlite3(file, `${CURRENT_SCHEMA};\nPRAGMA journal_mode = DELETE;\n${insertRunSql({ id: 'r1', status: 'failed' })};`);
        const writer = spawn('sqlite3', ['-init', '/dev/null', '-batch', '-bail', file], { stdio: ['pipe', 'pipe', 'inherit'] });
        const finished = new Promise<void>((resolve) => writer.on('close', () => resolve()));
        const reading = await SnapshotDatabase.open(file, { guard });
        try {
          // The EXCLUSIVE lock, held until the writer is told to end: no reader can take a SHARED lock.
          writer.stdin.write("BEGIN EXCLUSIVE; UPDATE remote_agent_workflow_runs SET status = 'cancelled'; SELECT 'held';\n");
          await new Promise<void>((resolve) => writer.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve()));
          const started = performance.now();
          await assert.rejects(
            reading.read((_, q) => first(q, 'SELECT status FROM remote_agent_workflow_runs')),
            (err: WorkflowRunsError) => err.kind === 'busy' && /^Another process is writing .*archon\.db and held it for over 2 s; try again in a moment\.$/.test(err.message),
          );
          const waited = performance.now() - started;
          assert.ok(waited >= GUARD_BUSY_TIMEOUT_MS - 50, `gave up after ${waited.toFixed(0)} ms, before the busy timeout`);
        } finally {
          writer.stdin.end('ROLLBACK;\n');
          await finished;
          reading.close();
        }
        assert.equal(sqlite3(file, 'SELECT status FROM remote_agent_workflow_runs;').trim(), 'failed');
      });

      it('refuses to guard a database it cannot open (its folder does not exist): unstable, never held', async () => {
        const { guard: engine } = await selectReadGuard({ guard });
        const missing = path.join(tempDir(), 'no-such-folder', 'archon.db');
        const file = path.join(tempDir(), 'archon.db');
        sqlite3(file, `${CURRENT_SCHEMA};\nPRAGMA journal_mode = DELETE;`);
        try {
          await assert.rejects(engine!.acquire(missing), (err: WorkflowRunsError) => err.kind === 'unstable' && /unable to open|cannot guard/.test(err.message));
          assert.equal(fs.existsSync(path.dirname(missing)), false, 'nothing created');
          // The same engine guards a real file right after.
          const lease = await engine!.acquire(file);
          await lease.release();
        } finally {
          engine!.dispose();
        }
      });

      it('after a read that held the guard, waits as long (at most 250 ms) before taking it again, so checkpoints get their turn', async () => {
        const live = await archonDb();
        await insertRun(live, { id: 'r1', status: 'failed' });
        // The engine's own class records when each guard was asked for and let go.
        const engine = (guard === 'node-sqlite' ? NodeSqliteGuard : SqliteShellGuard).prototype;
        const acquire = engine.acquire;
        const leases: { asked: number; released: number }[] = [];
        engine.acquire = async function (this: ReadGuard, dbPath: string): Promise<GuardLease> {
          const times = { asked: performance.now(), released: NaN };
          leases.push(times);
          const lease = await acquire.call(this, dbPath);
          return { release: () => lease.release().then(() => void (times.released = performance.now())) };
        };
        const reading = await SnapshotDatabase.open(live.path, { guard });
        const holdFor = (ms: number) => reading.read(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms));
        try {
          await holdFor(0); // the first read opens the snapshot and reads the schema
          const short = await holdFor(100);
          await holdFor(0);
          const long = await holdFor(400);
          await holdFor(0);
          assert.equal(leases.length, 5);
          const pause = (i: number) => leases[i].asked - leases[i - 1].released;
          assert.ok(pause(2) >= Math.min(short.stats.heldMs!, 250) - 5, `held ${short.stats.heldMs!.toFixed(0)} ms, then taken again after ${pause(2).toFixed(0)} ms`);
          assert.ok(pause(4) >= 245, `held ${long.stats.heldMs!.toFixed(0)} ms, then taken again after ${pause(4).toFixed(0)} ms`);
        } finally {
          engine.acquire = acquire;
          reading.close();
          await live.close();
        }
      });
    });
  }

  it('without a guard, no read is torn, and every read answers or gives up with the clear error within about 2 s', async () => {
    const file = churnDb();
    const churn = new Churn(file, { checkpointEvery: 20, ...BUSY_ARCHON });
    const live = await SnapshotDatabase.open(file, { guard: 'none' });
    const outcome = { answered: 0, retried: 0, gaveUp: 0, slowest: 0 };
    try {
      for (const until = Date.now() + 30000; Date.now() < until; ) {
        await yieldToWriter();
        const started = performance.now();
        try {
          const { value, stats } = await live.read((reader, q, pages) => ({ overview: readOverview(reader, OVERVIEW, pages), counts: invariant(q) }));
          const took = performance.now() - started;
          assert.ok(took < UNGUARDED_BUDGET_MS + 1500, `answered only after ${took.toFixed(0)} ms (${stats.attempts} attempts)`);
          assert.equal(stats.path, 'unguarded');
          const [log, total, added] = value.counts;
          assert.ok(log === total && total === added, `torn: ${value.counts}`);
          assert.equal(value.overview.overview.groups.reduce((n, g) => n + g.count, 0), total + 1, 'the overview counts every run');
          outcome.answered++;
          if (stats.attempts > 1) outcome.retried++;
        } catch (err) {
          const took = performance.now() - started;
          assert.match(String((err as Error).message), /^The database changed during every read for 2 s \(a checkpoint kept racing them\)\. Try again\.$/);
          outcome.gaveUp++;
          outcome.slowest = Math.max(outcome.slowest, took);
          // The budget, plus at most the one attempt that was under way when it ran out.
          assert.ok(took < UNGUARDED_BUDGET_MS + 1500, `gave up after ${took.toFixed(0)} ms`);
        }
      }
    } finally {
      live.close();
      await churn.stop();
    }
    console.log(
      `      to ${Math.round(sizeOf(file) / MB)} MB: ${outcome.answered} reads answered (${outcome.retried} after a retry), ${outcome.gaveUp} gave up (the slowest after ${outcome.slowest.toFixed(0)} ms), 0 torn`,
    );
    assert.ok(outcome.answered + outcome.gaveUp > 10);
  });

  it('reads a WAL database nobody has open without a guard, and creates no file beside it', async () => {
    const file = path.join(tempDir(), 'archon.db');
    sqlite3(file, `${CURRENT_SCHEMA};\n${insertRunSql({ id: 'r1', status: 'failed' })};`);
    const before = fs.readdirSync(path.dirname(file));
    assert.deepEqual(before, ['archon.db'], 'no -wal: nobody has it open');
    const read = await SnapshotDatabase.readOnce(file, (r) => r.getRun('r1')?.status);
    assert.equal(read, 'failed');
    const stats = await statsOf(file, 'auto');
    assert.equal(stats.path, 'unguarded');
    assert.match(stats.guard, /no process has open/);
    assert.deepEqual(fs.readdirSync(path.dirname(file)), before, 'no -wal or -shm left behind');
  });

  it('reads without a guard, and says why, when the -shm cannot be written (read-only media)', async function () {
    const source = tempDir();
    const file = path.join(source, 'archon.db');
    sqlite3(file, `${CURRENT_SCHEMA};\n${insertRunSql({ id: 'r1', status: 'failed' })};`);
    // A writer killed with the database open leaves its -wal (holding the last commit) and -shm.
    const writer = spawn('sqlite3', ['-init', '/dev/null', '-batch', file], { stdio: ['pipe', 'pipe', 'inherit'] });
    writer.stdin.write("PRAGMA wal_autocheckpoint = 0; UPDATE remote_agent_workflow_runs SET status = 'paused'; SELECT 'done';\n");
    await new Promise<void>((resolve) => writer.stdout.on('data', (d: Buffer) => d.toString().includes('done') && resolve()));
    writer.kill('SIGKILL');
    const mount = path.join(tempDir(), 'ro');
    fs.mkdirSync(mount);
    const bind = spawnSync('sh', ['-c', `mount --bind "${source}" "${mount}" && mount -o remount,bind,ro "${mount}"`], { encoding: 'utf8' });
    if (bind.status !== 0) {
      console.log(`      (skipped: cannot make a read-only mount here: ${bind.stderr.trim()})`);
      spawnSync('umount', [mount]);
      this.skip();
    }
    try {
      const stats = await statsOf(path.join(mount, 'archon.db'), 'auto');
      assert.equal(stats.path, 'unguarded');
      assert.match(stats.guard, /-shm file cannot be written/);
      assert.equal(await SnapshotDatabase.readOnce(path.join(mount, 'archon.db'), (r) => r.getRun('r1')?.status), 'paused', 'the commit in the log is seen');
    } finally {
      spawnSync('umount', [mount]);
    }
  });

  it('the CLI answers `list` on a busy database in bounded time: about what the same list takes once it is quiet', async function () {
    if (!fs.existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first');
    const file = churnDb();
    const churn = new Churn(file, { checkpointEvery: 20, ...BUSY_ARCHON });
    const list = async () => {
      const started = Date.now();
      const r = await run(process.execPath, [CLI, 'list', '--db', file, '--limit', '1000000', '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(JSON.parse(r.stdout).length >= 10, 'the runs committed so far');
      return Date.now() - started;
    };
    const busy: number[] = [];
    try {
      while (sizeOf(file) < 10 * MB) await sleep(100);
      for (let i = 0; i < 4; i++) busy.push(await list());
    } finally {
      await churn.stop();
    }
    const quiet = await list();
    console.log(`      4 lists during ${churn.acknowledged} commits (to ${Math.round(sizeOf(file) / MB)} MB): ${busy.join(', ')} ms; the same list once quiet, at the end: ${quiet} ms`);
    assert.ok(Math.max(...busy) < 3 * quiet + 2000, `a list under load took ${Math.max(...busy)} ms against ${quiet} ms quiet`);
  });
});

/** Lets the writer's input stream run: reads that never wait would starve it in this process. */
function yieldToWriter(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Runs a process without blocking this one (the writer is fed from here). */
function run(command: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: { ...process.env, DATABASE_URL: '' } });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr }));
  });
}

async function statsOf(file: string, guard: GuardChoice): Promise<ReadStats> {
  const db = await SnapshotDatabase.open(file, { guard });
  try {
    return (await db.read((r) => r.maxRowid())).stats;
  } finally {
    db.close();
  }
}
