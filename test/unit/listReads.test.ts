import * as assert from 'node:assert/strict';
import { SUMMARY_TEXT_MAX } from '../../src/core/model/runModel';
import type { StatusWatch, WatchRequest } from '../../src/core/model/statusWatch';
import { newestByGroup, watch } from '../../src/core/reads/runReads';
import type { Queryable, Row } from '../../src/core/sqlite/queryable';
import { RunReader } from '../../src/core/sqlite/runReader';
import { SnapshotDatabase } from '../../src/core/sqlite/snapshot/snapshotDatabase';
import { archonDb, cleanupTempDirs, insertRun, lit } from '../support/fixtures';
import type { LiveDb } from '../support/liveDb';

/** What crosses from SQLite into JavaScript: every row a statement returned, whole or a batch at a time. */
function recording(db: Queryable): { db: Queryable; rows: Row[] } {
  const rows: Row[] = [];
  return {
    rows,
    db: {
      all: (sql, params) => {
        const got = db.all(sql, params);
        rows.push(...got);
        return got;
      },
      open: (sql, params) => {
        const cursor = db.open(sql, params);
        return {
          next: (count) => {
            const got = cursor.next(count);
            rows.push(...got);
            return got;
          },
          close: () => cursor.close(),
        };
      },
    },
  };
}

/** The longest text among the values of these rows. */
const longest = (rows: Row[]) => Math.max(0, ...rows.flatMap((row) => Object.values(row).map((v) => (typeof v === 'string' ? v.length : 0))));

describe('What a read takes from the database (SQLite)', function () {
  this.timeout(60000);
  let db: LiveDb;
  afterEach(async () => {
    await db?.close();
  });
  after(cleanupTempDirs);

  it('a list reads from the metadata only the error and the gate, long texts cut; one run’s details read them whole', async () => {
    db = await archonDb();
    const long = (c: string) => c.repeat(5000);
    const metadata = JSON.stringify({ error: long('e'), nodes: long('n').repeat(200), approval: { nodeId: 'review', message: long('q'), type: 'approval', onRejectPrompt: long('p') } });
    const id = await insertRun(db, { status: 'paused', metadata, user_message: long('m') });
    await SnapshotDatabase.readOnce(db.path, (reader, raw) => {
      const { db: seen, rows } = recording(raw);
      const r = new RunReader(seen, reader.schema);
      const [run] = r.listRuns();
      assert.equal(run.error, `${'e'.repeat(SUMMARY_TEXT_MAX - 1)}…`);
      assert.equal(run.userMessage, `${'m'.repeat(SUMMARY_TEXT_MAX - 1)}…`);
      assert.equal(run.approval?.message, `${'q'.repeat(SUMMARY_TEXT_MAX - 1)}…`);
      assert.equal(run.approval?.nodeId, 'review');
      assert.ok(longest(rows) <= SUMMARY_TEXT_MAX + 1, `a list read ${longest(rows)} characters of one value (the metadata is ${metadata.length})`);
      rows.length = 0;
      assert.equal(r.run(newestByGroup(r.sql, {}, { paused: 5 })).paused[0].error?.length, SUMMARY_TEXT_MAX, 'the tree reads the same way');
      assert.ok(longest(rows) <= SUMMARY_TEXT_MAX + 1);
      const details = r.getRun(id)!;
      assert.equal(details.error, long('e'));
      assert.equal(details.userMessage, long('m'));
      assert.equal(details.approval?.message, long('q'));
      assert.equal(JSON.stringify(details.metadata), metadata);
    });
  });

  it('a gate is a paused run’s only: a finished run’s leftover approval is none', async () => {
    db = await archonDb();
    const approval = JSON.stringify({ approval: { nodeId: 'n', message: 'Ship it?', type: 'child_workflow', childRunId: 'c1', resolved: 'approved' } });
    const done = await insertRun(db, { status: 'completed', metadata: approval });
    const paused = await insertRun(db, { status: 'paused', metadata: approval });
    await SnapshotDatabase.readOnce(db.path, (r) => {
      const runs = Object.fromEntries(r.listRuns().map((run) => [run.id, run]));
      assert.equal(runs[done].approval, null);
      assert.equal(r.getRun(done)!.approval, null);
      assert.equal(runs[paused].approval?.childRunId, 'c1');
    });
  });

  it('lists more runs than a batch newest first, a page of them with a limit and an offset, the same on every path', async () => {
    db = await archonDb();
    // 1,234 runs; every third shares its start time with the one before (ties go to the later row).
    await db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1234)
      INSERT INTO remote_agent_workflow_runs (id, conversation_id, workflow_name, user_message, status, started_at)
      SELECT printf('run-%05d', i), 'conv-1', 'wf', 'm', 'completed', datetime('2026-01-01', '+' || (i - i % 3) || ' minutes') FROM n`);
    const expected = Array.from({ length: 1234 }, (_, i) => 1234 - i)
      .sort((a, b) => b - (b % 3) - (a - (a % 3)) || b - a)
      .map((i) => `run-${String(i).padStart(5, '0')}`);
    await SnapshotDatabase.readOnce(db.path, (r) => {
      assert.deepEqual(r.listRuns().map((run) => run.id), expected);
      assert.deepEqual(r.listRuns({ limit: 600, offset: 500 }).map((run) => run.id), expected.slice(500, 1100));
    });
  });

  it('pages a run’s events: its newest N in Archon’s order with how many there are, or all of them a batch at a time', async () => {
    db = await archonDb();
    const id = await insertRun(db, { status: 'running' });
    // 1,300 events whose created_at ties in threes: event_order breaks the ties, as in Archon.
    await db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1300)
      INSERT INTO remote_agent_workflow_events (id, workflow_run_id, event_order, event_type, data, created_at)
      SELECT printf('ev-%05d', i), ${lit(id)}, 1301 - i, 'node_completed', '{"i":' || i || '}', datetime('2026-01-01', '+' || ((1300 - i) / 3) || ' seconds') FROM n`);
    // Oldest first: created_at ascending, then event_order ascending.
    const order = Array.from({ length: 1300 }, (_, k) => 1300 - k).map((i) => `ev-${String(i).padStart(5, '0')}`);
    await SnapshotDatabase.readOnce(db.path, (r) => {
      const page = r.events({ runId: id, newest: 200 });
      assert.equal(page.total, 1300);
      assert.deepEqual(page.events.map((e) => e.id), order.slice(-200));
      assert.deepEqual(r.events({ runId: id, newest: 'all' }).events.map((e) => e.id), order);
      const history = r.history({ id, events: 5 })!;
      assert.equal(history.eventCount, 1300);
      assert.deepEqual(history.events.map((e) => e.id), order.slice(-5));
    });
  });

  it('the status watch reads failed runs incrementally: a quiet poll reads bucket digests, not every failed run', async () => {
    db = await archonDb();
    await db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12000)
      INSERT INTO remote_agent_workflow_runs (id, conversation_id, workflow_name, user_message, status)
      SELECT printf('run-%05d', i), 'conv-1', 'wf-' || i, 'm', CASE WHEN i % 3 = 0 THEN 'completed' ELSE 'failed' END FROM n`);
    const reading = await SnapshotDatabase.open(db.path);
    try {
      const poll = async (request: WatchRequest) =>
        (
          await reading.read((reader, raw) => {
            const { db: seen, rows } = recording(raw);
            return { watch: new RunReader(seen, reader.schema).run(watch(reader.sql, request)) as StatusWatch, rows: rows.length };
          })
        ).value;
      const first = await poll({ completed: true });
      assert.ok(first.rows >= 12000, 'a first watch learns every key');
      const quiet = await poll({ completed: true, memory: first.watch.memory });
      assert.deepEqual(quiet.watch.arrived, []);
      assert.ok(quiet.rows < 20, `a quiet poll read ${quiet.rows} rows`);
      // In one bucket, a failed run completes while a completed one fails: the count stays, the news does not.
      await db.exec(`UPDATE remote_agent_workflow_runs SET status = 'completed' WHERE id = 'run-05002';
        UPDATE remote_agent_workflow_runs SET status = 'failed' WHERE id = 'run-05004'`);
      const moved = await poll({ completed: true, memory: quiet.watch.memory });
      assert.deepEqual(moved.watch.arrived.map((a) => `${a.kind}:${a.run.id}`).sort(), ['completed:run-05002', 'failed:run-05004']);
      assert.ok(moved.rows < 4096 * 2 + 20, `only the changed bucket's keys are read again (${moved.rows} rows)`);
      assert.deepEqual((await poll({ completed: true, memory: moved.watch.memory })).watch.arrived, []);
    } finally {
      reading.close();
    }
  });
});
