import * as assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Queryable } from '../../src/core/sqlite/queryable';
import { SnapshotDatabase } from '../../src/core/sqlite/snapshot/snapshotDatabase';
import { SnapshotFile } from '../../src/core/sqlite/snapshot/snapshotFile';
import { loadSqlJs } from '../../src/core/sqlite/snapshot/sqlJs';
import { Churn, CHURN_SCHEMA } from '../support/churn';
import { archonDb, cleanupTempDirs, CURRENT_SCHEMA, insertRun, insertRunSql, tempDir } from '../support/fixtures';
import type { LiveDb } from '../support/liveDb';

const first = (db: Queryable, sql: string) => Object.values(db.all(sql)[0] ?? {})[0];

/** One value read through the product's read path (a fresh snapshot of `file`). */
function scalar(file: string, sql: string): Promise<unknown> {
  return SnapshotDatabase.readOnce(file, (_, db) => first(db, sql));
}

/** What plain sql.js shows when given the main file alone. */
async function mainFileOnly(file: string, sql: string): Promise<unknown> {
  const bytes = fs.readFileSync(file);
  if (!bytes.length) return undefined;
  const db = new (await loadSqlJs()).Database(bytes);
  try {
    return db.exec(sql)[0]?.values[0][0];
  } finally {
    db.close();
  }
}

describe('Snapshot reads', function () {
  this.timeout(60000);
  let db: LiveDb;
  afterEach(async () => {
    await db?.close();
  });
  after(cleanupTempDirs);

  it('shows commits that exist only in the -wal file', async () => {
    db = await archonDb();
    for (let i = 0; i < 8; i++) await insertRun(db, { status: i % 2 ? 'running' : 'failed' });
    assert.ok(fs.statSync(`${db.path}-wal`).size > 0, 'commits are in the log');
    // The main file alone (what plain sql.js would read) does not have them: the test is meaningful.
    const sql = 'SELECT count(*) FROM sqlite_master';
    assert.notEqual(await mainFileOnly(db.path, sql), await scalar(db.path, sql));
    const reading = await SnapshotDatabase.open(db.path);
    try {
      const { value, stats } = await reading.read((_, q) => [first(q, 'SELECT count(*) FROM remote_agent_workflow_runs'), first(q, 'PRAGMA integrity_check')]);
      assert.deepEqual(value, [8, 'ok']);
      assert.ok(stats.walFrames > 0);
    } finally {
      reading.close();
    }
  });

  it('shows the latest version of a page updated several times in the log', async () => {
    db = await archonDb();
    const id = await insertRun(db, { status: 'failed' });
    for (const status of ['running', 'paused', 'completed']) {
      await db.exec(`UPDATE remote_agent_workflow_runs SET status = '${status}' WHERE id = '${id}'`);
      assert.equal(await scalar(db.path, 'SELECT status FROM remote_agent_workflow_runs'), status);
    }
  });

  it("leaves out another process's open transaction, even when it spilled into the log", async () => {
    db = await archonDb();
    await insertRun(db, { status: 'failed' });
    const committedSize = fs.statSync(`${db.path}-wal`).size;
    await db.exec(`PRAGMA cache_size = 5; BEGIN; CREATE TABLE big (b BLOB);`);
    await db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400) INSERT INTO big SELECT randomblob(3000) FROM n`);
    await db.exec(`INSERT INTO remote_agent_workflow_runs (id, conversation_id, workflow_name, user_message) VALUES ('uncommitted', 'conv-1', 'wf', 'm')`);
    assert.ok(fs.statSync(`${db.path}-wal`).size > committedSize + 100000, 'the open transaction spilled frames into the log');
    const seen = await SnapshotDatabase.readOnce(db.path, (_, q) => [
      first(q, 'SELECT count(*) FROM remote_agent_workflow_runs'),
      first(q, "SELECT count(*) FROM sqlite_master WHERE name = 'big'"),
      first(q, 'PRAGMA integrity_check'),
    ]);
    assert.deepEqual(seen, [1, 0, 'ok']);
    await db.exec('ROLLBACK');
  });

  it('stops at a frame whose checksum does not verify (a torn write)', async () => {
    db = await archonDb();
    await insertRun(db, { id: 'first' });
    const copy = path.join(tempDir(), 'copy.db');
    fs.copyFileSync(db.path, copy);
    const walBefore = fs.readFileSync(`${db.path}-wal`);
    await insertRun(db, { id: 'second' });
    const wal = fs.readFileSync(`${db.path}-wal`);
    // Corrupt one byte of the last frame's page: that commit no longer verifies.
    wal[wal.length - 10] ^= 0xff;
    fs.writeFileSync(`${copy}-wal`, wal);
    assert.ok(wal.length > walBefore.length);
    const ids = await scalar(copy, 'SELECT group_concat(id) FROM remote_agent_workflow_runs');
    assert.equal(ids, 'first');
  });

  it('reads a database whose log was checkpointed and truncated, and one with no log', async () => {
    db = await archonDb();
    await insertRun(db, { id: 'a' });
    await db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    assert.equal(fs.statSync(`${db.path}-wal`).size, 0);
    assert.equal(await scalar(db.path, 'SELECT count(*) FROM remote_agent_workflow_runs'), 1);
    await db.close();
    assert.equal(fs.existsSync(`${db.path}-wal`), false);
    assert.equal(await scalar(db.path, 'SELECT id FROM remote_agent_workflow_runs'), 'a');
  });

  it('reads a database many times its page cache exactly as SQLite does, reading again what it let go', async () => {
    db = await archonDb();
    await db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
      INSERT INTO remote_agent_workflow_runs (id, workflow_name, conversation_id, user_message, status, metadata)
      SELECT 'run-' || i, 'wf-' || (i % 7), 'conv-1', 'message', CASE i % 3 WHEN 0 THEN 'failed' ELSE 'completed' END, json_object('pad', hex(randomblob(300))) FROM n`);
    await db.exec('PRAGMA wal_checkpoint(PASSIVE)');
    await db.exec(`UPDATE remote_agent_workflow_runs SET status = 'paused' WHERE id IN ('run-5', 'run-2999')`); // left in the -wal
    const sql = `SELECT count(*) || ':' || sum(length(metadata)) || ':' || group_concat(status || id, ',') FROM (SELECT * FROM remote_agent_workflow_runs ORDER BY workflow_name, id)`;
    const expected = await db.scalar(sql); // the sqlite3 shell holding the database open
    const small = await SnapshotDatabase.open(db.path, { cacheMB: 0.1 }); // 25 pages of 4 KB
    try {
      const size = fs.statSync(db.path).size;
      assert.ok(size > 20 * 25 * 4096, `the database (${size} bytes) is far larger than the cache`);
      for (let i = 0; i < 2; i++) {
        const { value, stats } = await small.read((_, q) => ({ v: first(q, sql), ok: first(q, 'PRAGMA integrity_check') }));
        assert.equal(value.v, expected);
        assert.equal(value.ok, 'ok');
        assert.ok(stats.bytesRead > size, `read ${stats.bytesRead} bytes: pages let go were read again`);
      }
    } finally {
      small.close();
    }
  });

  it('never changes the files it reads', async () => {
    db = await archonDb();
    await insertRun(db);
    const before = [fs.readFileSync(db.path), fs.readFileSync(`${db.path}-wal`)];
    await scalar(db.path, 'SELECT count(*) FROM remote_agent_workflow_runs');
    assert.deepEqual([fs.readFileSync(db.path), fs.readFileSync(`${db.path}-wal`)], before);
  });

  it('gives a specific error for a missing file, an empty file and a file that is not a database', async () => {
    const dir = tempDir();
    await assert.rejects(scalar(path.join(dir, 'none.db'), 'SELECT 1'), { message: /No database at .*none\.db/ });
    fs.writeFileSync(path.join(dir, 'empty.db'), '');
    await assert.rejects(scalar(path.join(dir, 'empty.db'), 'SELECT 1'), { message: /empty\.db is empty, not a SQLite database/ });
    fs.writeFileSync(path.join(dir, 'notes.db'), 'hello, I am a text file\n'.repeat(20));
    await assert.rejects(scalar(path.join(dir, 'notes.db'), 'SELECT 1'), { message: /notes\.db is not a SQLite database/ });
  });

  it('reads only the frames committed since the last read, and everything again after a checkpoint', async () => {
    db = await archonDb();
    await db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
      INSERT INTO remote_agent_workflow_runs (id, conversation_id, workflow_name, user_message, status)
      SELECT printf('run-%05d', i), 'conv-1', 'wf', hex(randomblob(300)), 'completed' FROM n`);
    await db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    await insertRun(db, { status: 'running' }); // the log's first frames after the checkpoint
    const reading = await SnapshotDatabase.open(db.path);
    // Reads every row of the status (not only the index), so that a cold read takes in most of the table.
    const count = (status: string) =>
      reading.read((_, q) => first(q, `SELECT count(*) FROM remote_agent_workflow_runs WHERE status = '${status}' AND length(user_message) > 0`));
    try {
      const cold = await count('completed');
      assert.equal(cold.value, 2000);
      assert.equal(cold.stats.mode, 'full');
      assert.ok(cold.stats.bytesRead > 500_000, `main-file bytes read cold: ${cold.stats.bytesRead}`);
      assert.equal((await count('completed')).stats.mode, 'none', 'nothing committed: nothing read');

      await db.exec("UPDATE remote_agent_workflow_runs SET status = 'failed' WHERE id = 'run-01000'");
      const warm = await count('failed');
      assert.equal(warm.value, 1);
      assert.equal(warm.stats.mode, 'incremental');
      assert.ok(warm.stats.walFrames > 0 && warm.stats.walFrames <= 4, `frames read: ${warm.stats.walFrames}`);
      assert.ok(warm.stats.bytesRead < cold.stats.bytesRead / 4, `main-file bytes: ${warm.stats.bytesRead} after ${cold.stats.bytesRead}`);
      assert.notEqual(warm.fingerprint, cold.fingerprint);

      await db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
      await db.exec("UPDATE remote_agent_workflow_runs SET status = 'failed' WHERE id = 'run-01001'");
      const after = await count('failed');
      assert.equal(after.value, 2);
      assert.equal(after.stats.mode, 'full', 'a restarted log means the main file changed: read afresh');
    } finally {
      reading.close();
    }
  });

  it('notices a checkpoint that copied frames newer than the snapshot into the main file mid-read', async () => {
    db = await archonDb();
    for (let i = 0; i < 50; i++) await insertRun(db, { status: 'failed', user_message: 'x'.repeat(500) });
    // Most pages in the main file, a log in use: as a long-running Archon leaves it.
    await db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    await insertRun(db, { status: 'paused' });
    const file = new SnapshotFile(db.path);
    const readEverything = () => file.read(0, file.pages * file.pageSize);
    try {
      file.sync();
      // A commit after our sync, copied into the main file by a PASSIVE checkpoint (the log stays):
      // main-file pages read now may hold data newer than the snapshot.
      await db.exec("UPDATE remote_agent_workflow_runs SET status = 'completed'");
      await db.exec('PRAGMA wal_checkpoint(PASSIVE)');
      readEverything();
      assert.equal(file.validate(), false, 'the backfill past our last frame is seen in the -shm');

      // Moved forward to that commit, the same reads are consistent.
      assert.equal(file.sync().mode, 'incremental');
      readEverything();
      assert.equal(file.validate(), true);
      // Pages read before a checkpoint stay valid: nothing new read, nothing to doubt.
      await db.exec("UPDATE remote_agent_workflow_runs SET status = 'paused'; PRAGMA wal_checkpoint(PASSIVE)");
      readEverything();
      assert.equal(file.validate(), true);

      // A log restarted while reading: pages read from the main file are suspect.
      file.sync();
      await db.exec("UPDATE remote_agent_workflow_runs SET status = 'failed'; PRAGMA wal_checkpoint(RESTART)");
      await db.exec("UPDATE remote_agent_workflow_runs SET status = 'running'");
      readEverything();
      assert.equal(file.validate(), false, 'the log header changed');
      assert.equal(file.sync().mode, 'full');
    } finally {
      file.close();
    }
  });

  for (const [how, between] of [
    ['in the same log', undefined],
    ['after a checkpoint that copied the shrink into the main file and cut it short', 'PRAGMA wal_checkpoint(TRUNCATE)'],
  ] as const) {
    it(`reads the pages of a database that shrank and grew again as they are now, not as they were before it shrank (${how})`, async () => {
      db = await archonDb();
      const fill = (tag: string) =>
        db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
          INSERT INTO remote_agent_workflow_runs (id, conversation_id, workflow_name, user_message, status)
          SELECT printf('${tag}-%05d', i), 'conv-1', 'wf', '${tag}:' || hex(randomblob(400)), 'failed' FROM n`);
      const sql = "SELECT count(*) || ':' || group_concat(substr(user_message, 1, 4), '') FROM remote_agent_workflow_runs";
      await fill('old');
      await db.exec('PRAGMA wal_checkpoint(TRUNCATE)'); // its pages in the main file, where the snapshot reads (and caches) them
      const reading = await SnapshotDatabase.open(db.path);
      const read = async () => (await reading.read((_, q) => ({ pages: Number(first(q, 'PRAGMA page_count')), v: first(q, sql), ok: first(q, 'PRAGMA integrity_check') }))).value;
      try {
        const before = await read();
        await db.exec('DELETE FROM remote_agent_workflow_runs; VACUUM');
        const shrunk = await read();
        assert.ok(shrunk.pages * 4 < before.pages, `shrank from ${before.pages} to ${shrunk.pages} pages`);
        if (between) await db.exec(between);
        await fill('new');
        const regrown = await read();
        assert.ok(regrown.pages >= before.pages, `grew back over the pages it had: ${regrown.pages} pages`);
        assert.deepEqual(regrown, { pages: Number(await db.scalar('PRAGMA page_count')), v: await db.scalar(sql), ok: 'ok' });
        assert.doesNotMatch(String(regrown.v), /old:/);
      } finally {
        reading.close();
      }
    });
  }

  it('sees a commit by a process that opened the database, committed and closed (no log left behind)', async () => {
    const file = path.join(tempDir(), 'archon.db');
    const oneShot = (sql: string) => execFileSync('sqlite3', ['-batch', '-bail', file], { input: sql });
    oneShot(`${CURRENT_SCHEMA};\n${insertRunSql({ id: 'r1', status: 'running' })};`);
    const reading = await SnapshotDatabase.open(file);
    const status = async () => (await reading.read((_, q) => first(q, "SELECT status FROM remote_agent_workflow_runs WHERE id = 'r1'"))).value;
    try {
      assert.equal(await status(), 'running');
      // A one-shot process (the CLI, our own Cancel) in WAL mode: its log is copied in and deleted
      // on close, and the main file's header can stay byte for byte the same.
      const header = fs.readFileSync(file).subarray(0, 100);
      oneShot("UPDATE remote_agent_workflow_runs SET status = 'cancelled' WHERE id = 'r1';");
      assert.equal(fs.existsSync(`${file}-wal`), false);
      assert.ok(fs.readFileSync(file).subarray(0, 100).equals(header), 'the header did not change: the test is meaningful');
      assert.equal(await status(), 'cancelled');
    } finally {
      reading.close();
    }
  });

  it('reads a database replaced by another file at the same path, even with the same schema cookie', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'archon.db');
    const make = (target: string, runs: number, tag: string) =>
      execFileSync('sqlite3', ['-batch', '-bail', target], {
        input: `${CURRENT_SCHEMA};
          WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${runs})
          INSERT INTO remote_agent_workflow_runs (id, conversation_id, workflow_name, user_message) SELECT 'run-' || i, 'conv-1', 'wf', hex(randomblob(200)) FROM n;
          CREATE TABLE extra (x); INSERT INTO extra VALUES ('${tag}');`,
      });
    make(file, 500, 'old');
    make(path.join(dir, 'new.db'), 0, 'new');
    // Same statements, same cookie; the table `extra` sits on another page in each.
    assert.equal(fs.readFileSync(file).readUInt32BE(40), fs.readFileSync(path.join(dir, 'new.db')).readUInt32BE(40));
    const reading = await SnapshotDatabase.open(file);
    try {
      assert.equal((await reading.read((_, q) => first(q, 'SELECT x FROM extra'))).value, 'old');
      fs.renameSync(path.join(dir, 'new.db'), file);
      assert.equal((await reading.read((_, q) => first(q, 'SELECT x FROM extra'))).value, 'new');
    } finally {
      reading.close();
    }
  });

  it('does not read a rollback-journal database while another process is writing it', async () => {
    const file = path.join(tempDir(), 'archon.db');
    execFileSync('sqlite3', ['-batch', '-bail', file], {
      input: `${CURRENT_SCHEMA};\nPRAGMA journal_mode = DELETE;\n${insertRunSql({ id: 'r1', status: 'completed' })};`,
    });
    const writer = spawn('sqlite3', ['-batch', file], { stdio: ['pipe', 'pipe', 'inherit'] });
    const said = (marker: string) => new Promise<void>((resolve) => writer.stdout.on('data', (d: Buffer) => d.toString().includes(marker) && resolve()));
    try {
      // A transaction big enough to spill uncommitted pages into the main file.
      writer.stdin.write(`PRAGMA cache_size = 5; BEGIN; UPDATE remote_agent_workflow_runs SET status = 'failed';
        CREATE TABLE big (b); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300) INSERT INTO big SELECT randomblob(4000) FROM n;
        SELECT 'open';\n`);
      await said('open');
      await assert.rejects(scalar(file, 'SELECT status FROM remote_agent_workflow_runs'), { kind: 'busy', message: /Another process is writing/ });
      writer.stdin.write("ROLLBACK; SELECT 'done';\n");
      await said('done');
      assert.equal(await scalar(file, 'SELECT status FROM remote_agent_workflow_runs'), 'completed');
    } finally {
      writer.stdin.end();
    }
  });

  it("reads a new log whose first transaction is still open (nothing of it published yet)", async () => {
    db = await archonDb();
    await insertRun(db, { id: 'r1', status: 'failed' });
    await db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    await db.exec(`PRAGMA cache_size = 5; BEGIN; UPDATE remote_agent_workflow_runs SET status = 'completed';
      CREATE TABLE big (b); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300) INSERT INTO big SELECT randomblob(4000) FROM n`);
    assert.ok(fs.statSync(`${db.path}-wal`).size > 100000, 'the open transaction spilled into the log');
    assert.equal(await scalar(db.path, 'SELECT status FROM remote_agent_workflow_runs'), 'failed');
    await db.exec('ROLLBACK');
  });

  for (const [cache, cacheMB, checkpointEvery, checkEvery] of [
    ['', undefined, 25, 1],
    [', with a page cache of 25 pages that evicts all the time', 0.1, 25, 1],
    // Checkpoints so often that guards begin on read mark 0 and the log is restarted and written over
    // under reads; each read that checks the whole file takes long, so only every fifth does.
    [', with a page cache of 25 pages and a checkpoint every 2 commits', 0.1, 2, 5],
  ] as const) {
    it(`is never torn while another process commits and checkpoints continuously${cache}`, async function () {
      db = await archonDb();
      await db.exec(CHURN_SCHEMA);
      await db.close();
      const churn = new Churn(path.join(path.dirname(db.path), 'archon.db'), { checkpointEvery, padding: 1500 });
      // One long-lived reader moves forward frame by frame (as the extension does); every tenth read
      // is a fresh one that reads everything.
      const live = await SnapshotDatabase.open(db.path, { cacheMB });
      const reads = { total: 0, retried: 0, incremental: 0, full: 0, overwritten: 0 };
      let maxTotal = 0;
      const until = Date.now() + 8000;
      const check = (q: Queryable) => {
        const row = q.all(`SELECT (SELECT count(*) FROM churn_log) AS log, (SELECT total FROM churn_meta) AS total,
                  (SELECT count(*) FROM remote_agent_workflow_events WHERE workflow_run_id = 'churn-run') AS events`)[0];
        if (reads.total % checkEvery === 0) assert.equal(first(q, 'PRAGMA integrity_check'), 'ok', `read ${reads.total} integrity`);
        return [row.log, row.total, row.events] as number[];
      };
      try {
        while (Date.now() < until || reads.total < 50) {
          await new Promise((r) => setImmediate(r));
          const fresh = reads.total % 10 === 9 ? await SnapshotDatabase.open(db.path, { cacheMB }) : undefined;
          const { value, stats } = await (fresh ?? live).read((_, q) => check(q));
          fresh?.close();
          reads.total++;
          if (stats.attempts > 1) reads.retried++;
          if (stats.logOverwritten) reads.overwritten++;
          if (stats.mode !== 'none') reads[stats.mode]++;
          const [log, total, events] = value;
          assert.ok(log === total && total === events, `read ${reads.total} consistent: ${log}/${total}/${events}`);
          assert.ok(total >= maxTotal, 'never goes back in time');
          maxTotal = total;
        }
      } finally {
        live.close();
        const acked = await churn.stop();
        console.log(
          `      ${reads.total} reads (${reads.incremental} from new frames only, ${reads.full} in full, ${reads.retried} retried after a racing checkpoint, ${reads.overwritten} with the log restarted under them) during ${acked} commits`,
        );
      }
      assert.ok(maxTotal > 100, 'the writer really committed during the reads');
      assert.ok(reads.incremental > 0, 'some reads moved forward by new frames alone');
    });
  }

  it('reads a database without a log whose file time is ahead of the clock, at once', async () => {
    const file = path.join(tempDir(), 'archon.db');
    execFileSync('sqlite3', ['-init', '/dev/null', '-batch', '-bail', file], { input: `${CURRENT_SCHEMA};\n${insertRunSql({ id: 'r1', status: 'failed' })};` });
    assert.equal(fs.existsSync(`${file}-wal`), false);
    const future = new Date(Date.now() + 3600_000);
    fs.utimesSync(file, future, future);
    const started = Date.now();
    assert.equal(await scalar(file, "SELECT status FROM remote_agent_workflow_runs WHERE id = 'r1'"), 'failed');
    assert.ok(Date.now() - started < 1000, `read in ${Date.now() - started} ms`);
  });
});

describe('Reads without a guard: checked afterwards, and read again when a checkpoint raced them', function () {
  this.timeout(60000);
  let db: LiveDb;
  afterEach(async () => {
    await db?.close();
  });
  after(cleanupTempDirs);

  const oneShot = (file: string, sql: string) => execFileSync('sqlite3', ['-init', '/dev/null', '-batch', '-bail', file], { input: sql });

  /** A live database whose older runs are in the main file and newest commit in the log, as a running Archon leaves it. */
  async function liveWithLog(runs = 50): Promise<LiveDb> {
    const live = await archonDb();
    await live.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${runs})
      INSERT INTO remote_agent_workflow_runs (id, conversation_id, workflow_name, user_message, status)
      SELECT printf('run-%05d', i), 'conv-1', 'wf', hex(randomblob(400)), 'failed' FROM n`);
    await live.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    await insertRun(live, { id: 'newest', status: 'paused' });
    return live;
  }

  for (const readShm of [true, false]) {
    const how = readShm ? 'from the -shm' : 'from the main file alone, never opening the -shm (a process with SQLite connections of its own)';
    it(`a commit and a checkpoint made during the read cause a second attempt, which is consistent (told ${how})`, async () => {
      db = await liveWithLog();
      const reading = await SnapshotDatabase.open(db.path, { guard: 'none', readShm });
      // The module the reader's file reads go through: which files it opens.
      const files: typeof fs = require('node:fs');
      const openSync = files.openSync;
      const opened: string[] = [];
      files.openSync = function (this: unknown, ...args: Parameters<typeof fs.openSync>) {
        opened.push(String(args[0]));
        return openSync.apply(this, args);
      } as typeof fs.openSync;
      let calls = 0;
      try {
        const { value, stats } = await reading.read((_, q) => {
          const before = first(q, "SELECT count(*) FROM remote_agent_workflow_runs WHERE status = 'failed'");
          // Another process commits and copies it into the main file while this read goes on.
          if (++calls === 1) oneShot(db.path, "UPDATE remote_agent_workflow_runs SET status = 'completed' WHERE id = 'run-00001'; PRAGMA wal_checkpoint(PASSIVE);");
          return [before, first(q, "SELECT count(*) FROM remote_agent_workflow_runs WHERE status = 'completed'"), first(q, 'PRAGMA integrity_check')];
        });
        files.openSync = openSync;
        assert.equal(stats.path, 'unguarded');
        assert.equal(stats.attempts, 2, 'read again');
        assert.deepEqual(value, [49, 1, 'ok'], 'the second attempt sees the commit, all of it');
        assert.equal(opened.some((f) => f.endsWith('-shm')), readShm, `files opened: ${opened.join(', ')}`);
      } finally {
        files.openSync = openSync;
        reading.close();
      }
    });
  }

  it('after three raced attempts reads the whole file in one pass first, then checks it', async () => {
    db = await liveWithLog(400);
    const size = fs.statSync(db.path).size;
    const reading = await SnapshotDatabase.open(db.path, { guard: 'none' });
    let n = 0;
    try {
      const { value, stats } = await reading.read((_, q) => {
        // Reads few of the file's pages; the first three attempts are raced.
        const count = first(q, "SELECT count(*) FROM remote_agent_workflow_runs WHERE id = 'newest'");
        if (++n <= 3) oneShot(db.path, `UPDATE remote_agent_workflow_runs SET status = 'failed' WHERE id = 'run-0000${n}'; PRAGMA wal_checkpoint(PASSIVE);`);
        return count;
      });
      assert.equal(value, 1);
      assert.equal(stats.attempts, 4);
      assert.ok(stats.bytesRead >= size * 0.9, `the fourth attempt read the whole file: ${stats.bytesRead} of ${size} bytes`);
    } finally {
      reading.close();
    }
  });

  describe('what validate() trusts, file by file', () => {
    /** A database whose writer was killed: its -wal (with a commit) and -shm stay, and nobody changes them. */
    async function frozen(): Promise<string> {
      const live = await liveWithLog();
      await live.kill();
      assert.ok(fs.existsSync(`${live.path}-shm`) && fs.statSync(`${live.path}-wal`).size > 0);
      return live.path;
    }
    /** Syncs and reads every page of the snapshot, as queries would. */
    function readAllPages(file: SnapshotFile): void {
      file.sync();
      file.read(0, file.pages * file.pageSize);
    }
    const patchShm = (dbPath: string, at: number, value: number) => {
      const shm = fs.readFileSync(`${dbPath}-shm`);
      shm.writeUInt32LE(value, at); // the wal-index is in native byte order (little-endian here)
      fs.writeFileSync(`${dbPath}-shm`, shm);
    };
    /**
     * Changes the wal-index header as SQLite would write it, one SQLite trusts: both copies, and
     * its checksum (over its first 40 bytes, in native byte order) made anew.
     */
    const patchShmHeader = (dbPath: string, change: (header: Buffer) => void) => {
      const shm = fs.readFileSync(`${dbPath}-shm`);
      const header = Buffer.from(shm.subarray(0, 48));
      change(header);
      let [s0, s1] = [0, 0];
      for (let i = 0; i < 40; i += 8) {
        s0 = (s0 + header.readUInt32LE(i) + s1) >>> 0;
        s1 = (s1 + header.readUInt32LE(i + 4) + s0) >>> 0;
      }
      header.writeUInt32LE(s0, 40);
      header.writeUInt32LE(s1, 44);
      header.copy(shm, 0);
      header.copy(shm, 48);
      fs.writeFileSync(`${dbPath}-shm`, shm);
    };
    /** File times well in the past: an untouched main file then shows as untouched (see `mainStamp`). */
    const settle = (dbPath: string) => {
      const past = new Date(Date.now() - 60000);
      fs.utimesSync(dbPath, past, past);
    };

    it('with the -shm naming our log and nothing copied beyond our frames: valid', async () => {
      const dbPath = await frozen();
      const file = new SnapshotFile(dbPath);
      readAllPages(file);
      assert.equal(file.validate(), true);
      file.close();
    });

    it('nBackfillAttempted beyond our frames (a checkpoint started copying newer ones): not valid', async () => {
      const dbPath = await frozen();
      const file = new SnapshotFile(dbPath);
      readAllPages(file);
      const frames = fs.statSync(`${dbPath}-wal`).size; // more than the frames there are
      patchShm(dbPath, 128, frames);
      assert.equal(file.validate(), false);
      file.close();
    });

    it('other salts in the -shm than in the log header (the log was restarted, its header not yet rewritten): not valid', async () => {
      const dbPath = await frozen();
      settle(dbPath); // so that only the -shm can say "not valid"
      const file = new SnapshotFile(dbPath);
      readAllPages(file);
      patchShmHeader(dbPath, (header) => header.writeUInt32BE((header.readUInt32BE(32) + 7) >>> 0, 32));
      assert.equal(file.validate(), false);
      file.close();
    });

    for (const [what, spoil] of [
      ['garbage', (shm: Buffer) => crypto.randomFillSync(shm)],
      ['torn (its two header copies differ: an update under way)', (shm: Buffer) => shm.writeUInt32BE((shm.readUInt32BE(32) + 7) >>> 0, 32)],
      ['stale (its checksum is wrong)', (shm: Buffer) => (shm.writeUInt32BE((shm.readUInt32BE(32) + 7) >>> 0, 32), shm.writeUInt32BE((shm.readUInt32BE(80) + 7) >>> 0, 80))],
    ] as const) {
      it(`a -shm whose header SQLite would not trust, ${what}: not taken for a checkpoint's progress; the untouched main file is valid, a touched one not`, async () => {
        const dbPath = await frozen();
        settle(dbPath);
        const shm = fs.readFileSync(`${dbPath}-shm`);
        spoil(shm);
        fs.writeFileSync(`${dbPath}-shm`, shm);
        const untouched = new SnapshotFile(dbPath);
        readAllPages(untouched);
        assert.equal(untouched.validate(), true);
        untouched.close();
        const touched = new SnapshotFile(dbPath);
        touched.sync();
        fs.utimesSync(dbPath, new Date(Date.now() - 30000), new Date(Date.now() - 30000)); // as a checkpoint writing it would
        touched.read(0, touched.pages * touched.pageSize);
        assert.equal(touched.validate(), false);
        touched.close();
      });
    }

    it('a read without a guard answers on a database whose -shm is garbage (it said "changed during every read for 2 s")', async () => {
      const dbPath = await frozen();
      settle(dbPath);
      fs.writeFileSync(`${dbPath}-shm`, crypto.randomBytes(32768));
      const count = await SnapshotDatabase.readOnce(dbPath, (_, q) => first(q, 'SELECT count(*) FROM remote_agent_workflow_runs'), { guard: 'none', readShm: true });
      assert.equal(count, 51); // the 50 runs, and the one committed into the log
    });

    it('a log of which nothing is committed yet, whose -shm already holds the next salt1 (restarted, its header not yet rewritten): not valid', async () => {
      const live = await archonDb();
      await insertRun(live, { id: 'r1', status: 'failed' });
      await live.exec('PRAGMA wal_checkpoint(TRUNCATE)');
      // A first transaction in the new log, spilled into it and never committed; then the writer dies.
      await live.exec(`PRAGMA cache_size = 5; BEGIN; UPDATE remote_agent_workflow_runs SET status = 'completed';
        CREATE TABLE big (b); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300) INSERT INTO big SELECT randomblob(4000) FROM n`);
      await live.kill();
      const before = new SnapshotFile(live.path);
      readAllPages(before);
      assert.match(before.fingerprint, /:0$/, 'no frame of the log is committed');
      assert.equal(before.validate(), true, 'as the -shm was left: valid');
      before.close();
      const file = new SnapshotFile(live.path);
      try {
        readAllPages(file);
        const salt1 = fs.readFileSync(`${live.path}-wal`).readUInt32BE(16);
        patchShmHeader(live.path, (header) => header.writeUInt32BE((salt1 + 1) >>> 0, 32)); // SQLite adds one to salt1 when it restarts the log
        assert.equal(file.validate(), false);
      } finally {
        file.close();
      }
    });

    it('no -shm: valid only while the main file is untouched', async () => {
      const dbPath = await frozen();
      fs.rmSync(`${dbPath}-shm`);
      // The file times must be settled for a stamp to tell writes apart.
      const past = new Date(Date.now() - 60000);
      fs.utimesSync(dbPath, past, past);
      const untouched = new SnapshotFile(dbPath);
      readAllPages(untouched);
      assert.equal(untouched.validate(), true);
      untouched.close();
      const touched = new SnapshotFile(dbPath);
      touched.sync();
      fs.utimesSync(dbPath, new Date(Date.now() - 30000), new Date(Date.now() - 30000)); // as a checkpoint writing it would
      touched.read(0, touched.pages * touched.pageSize);
      assert.equal(touched.validate(), false);
      touched.close();
    });

    it('a rollback journal that appeared during the read (a writer began, and may have written the main file): not valid', () => {
      const dbPath = path.join(tempDir(), 'archon.db');
      oneShot(dbPath, `${CURRENT_SCHEMA};\nPRAGMA journal_mode = DELETE;\n${insertRunSql({ id: 'r1', status: 'failed' })};`);
      const past = new Date(Date.now() - 60000);
      fs.utimesSync(dbPath, past, past);
      const file = new SnapshotFile(dbPath);
      readAllPages(file);
      fs.writeFileSync(`${dbPath}-journal`, Buffer.concat([Buffer.from('d9d505f920a163d7', 'hex'), Buffer.alloc(504)]));
      assert.equal(file.validate(), false);
      file.close();
    });
  });
});

