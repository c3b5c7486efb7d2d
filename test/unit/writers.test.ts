import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resumeRun } from '../../src/core/sqlite/operations';
import { loadNodeSqlite, NodeSqliteWriter } from '../../src/core/sqlite/writers/nodeSqliteWriter';
import { probeSqliteShell, SqliteShellWriter } from '../../src/core/sqlite/writers/sqliteShellWriter';
import { archonDb, cleanupTempDirs, insertRun, REPO_ROOT, runRow, tempDir } from '../support/fixtures';
import type { LiveDb } from '../support/liveDb';

const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');

/** A stand-in `sqlite3` that runs the real one, then, the first time only, stays alive holding its pipes. */
function hangingShell(): string {
  const dir = tempDir();
  const file = path.join(dir, 'sqlite3');
  fs.writeFileSync(
    file,
    `#!/bin/sh
if [ "$1" = "-init" ] && [ "$3" = "-version" ]; then exec sqlite3 "$@"; fi
if [ -e "${dir}/hung" ]; then exec sqlite3 "$@"; fi
touch "${dir}/hung"
sqlite3 "$@"
sleep 30
`,
    { mode: 0o755 },
  );
  return file;
}

describe('writer engines when things go wrong', function () {
  this.timeout(60000);
  let db: LiveDb;
  beforeEach(async () => {
    db = await archonDb();
  });
  afterEach(async () => {
    await db?.close();
  });
  after(cleanupTempDirs);

  describe('the sqlite3 shell', () => {
    let version: string;
    before(async function () {
      version = (await probeSqliteShell('sqlite3'))!;
      if (!version) this.skip();
    });

    it("ignores the user's ~/.sqliterc: the CLI's resume answers with its documented JSON", async () => {
      // The shell finds its rc file through the password database, not $HOME: the real one it is.
      const rc = path.join(os.userInfo().homedir, '.sqliterc');
      const saved = fs.existsSync(rc) ? fs.readFileSync(rc) : undefined;
      const id = await insertRun(db, { status: 'failed' });
      let r;
      try {
        fs.writeFileSync(rc, '.changes on\n.timer on\n.echo on\n.headers on\n.mode csv\n');
        r = spawnSync(process.execPath, [CLI, 'resume', id, '--db', db.path, '--engine', 'sqlite3', '--json'], {
          encoding: 'utf8',
          env: { ...process.env, DATABASE_URL: '' },
        });
      } finally {
        if (saved) fs.writeFileSync(rc, saved);
        else fs.rmSync(rc, { force: true });
      }
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), { outcome: 'resumed', runId: id, status: 'running' });
      assert.equal((await runRow(db, id))!.status, 'running');
    });

    it('stops a shell that runs past its limit, re-reads the run, and reports uncertain', async () => {
      const id = await insertRun(db, { status: 'failed' });
      const writer = new SqliteShellWriter(hangingShell(), version, 1000, 1500);
      const started = Date.now();
      const result = await resumeRun(writer, db.path, id);
      assert.ok(Date.now() - started < 6000, `settled after ${Date.now() - started} ms`);
      assert.equal(result.outcome, 'uncertain');
      // It had committed before it hung: the re-read says so, the claim itself is not presumed.
      assert.equal(result.status, 'running');
      assert.match(result.detail!, /did not finish within 1\.5 s and was stopped; whether the change was made is not known/);
      assert.equal((await runRow(db, id))!.status, 'running');
    });
  });

  describe('node:sqlite', () => {
    before(function () {
      if (!loadNodeSqlite()) this.skip();
    });
    const make = (busyMs: number, limitMs?: number) => new NodeSqliteWriter(loadNodeSqlite()!, busyMs, limitMs);

    it('a thread that dies mid-write settles as uncertain, with the status read again', async () => {
      const id = await insertRun(db, { status: 'failed' });
      const writer = make(2000);
      await db.exec('BEGIN IMMEDIATE');
      const pending = resumeRun(writer, db.path, id);
      await new Promise((r) => setTimeout(r, 300));
      // Fault injection: the thread goes while it waits for the lock.
      await (writer as unknown as { worker: import('node:worker_threads').Worker }).worker.terminate();
      await db.exec('ROLLBACK');
      const result = await pending;
      assert.equal(result.outcome, 'uncertain');
      assert.equal(result.status, 'failed');
      assert.match(result.detail!, /the node:sqlite thread stopped/);
      writer.dispose();
    });

    it('a thread that does not answer within its limit is let go: the write settles as uncertain, and the next one runs', async () => {
      const id = await insertRun(db, { status: 'failed' });
      const other = await insertRun(db, { status: 'failed' });
      // The lock is held past the limit, and the busy timeout is longer still: the thread stays stuck.
      const writer = make(5000, 1000);
      await db.exec('BEGIN IMMEDIATE');
      const started = Date.now();
      const pending = resumeRun(writer, db.path, id);
      // Let go at 1 s; the lock goes at 1.5 s, within the limit of the read that follows.
      await new Promise((r) => setTimeout(r, 1500));
      await db.exec('ROLLBACK');
      const result = await pending;
      assert.ok(Date.now() - started < 4000, `settled after ${Date.now() - started} ms, not after the busy timeout`);
      assert.equal(result.outcome, 'uncertain');
      assert.equal(result.status, 'failed');
      assert.match(result.detail!, /did not answer within/);
      assert.equal((await resumeRun(writer, db.path, other)).outcome, 'resumed', 'a new thread takes the next write');
      writer.dispose();
    });

    it('disposing during a write lets it finish, then ends the thread; nothing waits behind it', async () => {
      const id = await insertRun(db, { status: 'failed' });
      const other = await insertRun(db, { status: 'failed' });
      const writer = make(5000);
      await db.exec('BEGIN IMMEDIATE');
      const pending = resumeRun(writer, db.path, id);
      await new Promise((r) => setTimeout(r, 200));
      writer.dispose(); // as when the writer settings change mid-write
      await db.exec('COMMIT');
      assert.equal((await pending).outcome, 'resumed');
      // A new writer (the new settings) is not held up by the old one.
      const next = make(5000);
      assert.equal((await resumeRun(next, db.path, other)).outcome, 'resumed');
      next.dispose();
      const worker = (writer as unknown as { worker?: unknown }).worker;
      await new Promise((r) => setTimeout(r, 100));
      assert.equal((writer as unknown as { worker?: unknown }).worker, undefined, `thread ended (was ${worker ? 'running' : 'gone'})`);
    });
  });
});
