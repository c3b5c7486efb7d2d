import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Database } from 'sql.js';
import { loadSqlJs } from '../../src/core/sqlJs';
import { readSnapshot } from '../../src/core/walSnapshot';
import { Churn, CHURN_SCHEMA } from '../support/churn';
import { archonDb, cleanupTempDirs, insertRun, tempDir } from '../support/fixtures';
import type { LiveDb } from '../support/liveDb';

async function open(image: Uint8Array): Promise<Database> {
  const SQL = await loadSqlJs();
  return new SQL.Database(image);
}

async function scalar(image: Uint8Array, sql: string): Promise<unknown> {
  const db = await open(image);
  try {
    return db.exec(sql)[0]?.values[0][0];
  } finally {
    db.close();
  }
}

describe('WAL snapshot', function () {
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
    const mainOnly = fs.readFileSync(db.path);
    const staleCount = mainOnly.length ? await scalar(mainOnly, 'SELECT count(*) FROM sqlite_master') : 0;
    assert.notEqual(staleCount, await scalar(readSnapshot(db.path).image, 'SELECT count(*) FROM sqlite_master'));
    const snap = readSnapshot(db.path);
    assert.equal(await scalar(snap.image, 'SELECT count(*) FROM remote_agent_workflow_runs'), 8);
    assert.ok(snap.walFrames > 0);
    assert.equal(await scalar(snap.image, 'PRAGMA integrity_check'), 'ok');
  });

  it('shows the latest version of a page updated several times in the log', async () => {
    db = await archonDb();
    const id = await insertRun(db, { status: 'failed' });
    for (const status of ['running', 'paused', 'completed']) {
      await db.exec(`UPDATE remote_agent_workflow_runs SET status = '${status}' WHERE id = '${id}'`);
      assert.equal(await scalar(readSnapshot(db.path).image, 'SELECT status FROM remote_agent_workflow_runs'), status);
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
    const snap = readSnapshot(db.path);
    assert.equal(await scalar(snap.image, 'SELECT count(*) FROM remote_agent_workflow_runs'), 1);
    assert.equal(await scalar(snap.image, "SELECT count(*) FROM sqlite_master WHERE name = 'big'"), 0);
    assert.equal(await scalar(snap.image, 'PRAGMA integrity_check'), 'ok');
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
    const ids = await scalar(readSnapshot(copy).image, 'SELECT group_concat(id) FROM remote_agent_workflow_runs');
    assert.equal(ids, 'first');
  });

  it('reads a database whose log was checkpointed and truncated, and one with no log', async () => {
    db = await archonDb();
    await insertRun(db, { id: 'a' });
    await db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    assert.equal(fs.statSync(`${db.path}-wal`).size, 0);
    assert.equal(await scalar(readSnapshot(db.path).image, 'SELECT count(*) FROM remote_agent_workflow_runs'), 1);
    await db.close();
    assert.equal(fs.existsSync(`${db.path}-wal`), false);
    assert.equal(await scalar(readSnapshot(db.path).image, 'SELECT id FROM remote_agent_workflow_runs'), 'a');
  });

  it('never changes the files it reads', async () => {
    db = await archonDb();
    await insertRun(db);
    const before = [fs.readFileSync(db.path), fs.readFileSync(`${db.path}-wal`)];
    readSnapshot(db.path);
    assert.deepEqual([fs.readFileSync(db.path), fs.readFileSync(`${db.path}-wal`)], before);
  });

  it('gives a specific error for a missing file, an empty file and a file that is not a database', () => {
    const dir = tempDir();
    assert.throws(() => readSnapshot(path.join(dir, 'none.db')), { message: /No database at .*none\.db/ });
    fs.writeFileSync(path.join(dir, 'empty.db'), '');
    assert.throws(() => readSnapshot(path.join(dir, 'empty.db')), { message: /empty\.db is empty, not a SQLite database/ });
    fs.writeFileSync(path.join(dir, 'notes.db'), 'hello, I am a text file\n'.repeat(20));
    assert.throws(() => readSnapshot(path.join(dir, 'notes.db')), { message: /notes\.db is not a SQLite database/ });
  });

  it('is never torn while another process commits and checkpoints continuously', async function () {
    db = await archonDb();
    await db.exec(CHURN_SCHEMA);
    await db.close();
    const churn = new Churn(path.join(path.dirname(db.path), 'archon.db'), { checkpointEvery: 25, padding: 1500 });
    const SQL = await loadSqlJs();
    let snapshots = 0;
    let retried = 0;
    let maxTotal = 0;
    const until = Date.now() + 8000;
    try {
      while (Date.now() < until || snapshots < 50) {
        await new Promise((r) => setImmediate(r));
        const snap = readSnapshot(db.path);
        snapshots++;
        if (snap.attempts > 1) retried++;
        const image = new SQL.Database(snap.image);
        try {
          assert.equal(image.exec('PRAGMA integrity_check')[0].values[0][0], 'ok', `snapshot ${snapshots} integrity`);
          const [log, total, events] = image.exec(
            `SELECT (SELECT count(*) FROM churn_log), (SELECT total FROM churn_meta),
                    (SELECT count(*) FROM remote_agent_workflow_events WHERE workflow_run_id = 'churn-run')`,
          )[0].values[0] as number[];
          assert.ok(log === total && total === events, `snapshot ${snapshots} consistent: ${log}/${total}/${events}`);
          assert.ok(total >= maxTotal, 'never goes back in time');
          maxTotal = total;
        } finally {
          image.close();
        }
      }
    } finally {
      const acked = await churn.stop();
      console.log(`      ${snapshots} snapshots (${retried} retried after a racing checkpoint) during ${acked} commits`);
    }
    assert.ok(maxTotal > 100, 'the writer really committed during the reads');
  });
});
