import * as assert from 'node:assert/strict';
import { cancelRun, resumeRun } from '../../src/core/sqlite/operations';
import { SnapshotDatabase } from '../../src/core/sqlite/snapshot/snapshotDatabase';
import { enginesUnderTest } from '../support/engines';
import { archonDb, cleanupTempDirs, insertRun, lit, OLD_SCHEMA, runRow } from '../support/fixtures';
import type { LiveDb } from '../support/liveDb';

const ALL = ['pending', 'running', 'paused', 'failed', 'completed', 'cancelled'];

async function events(db: LiveDb, runId: string) {
  return db.query(`SELECT event_type, data FROM remote_agent_workflow_events WHERE workflow_run_id = ${lit(runId)} ORDER BY rowid`);
}

function listedResumable(dbPath: string, id: string): Promise<boolean> {
  return SnapshotDatabase.readOnce(dbPath, (r) => r.getRun(id)!.resumable);
}

describe('resume and cancel', function () {
  this.timeout(20000);
  after(cleanupTempDirs);

  for (const engine of [{ name: 'node-sqlite' }, { name: 'sqlite3' }] as const) {
    describe(`through ${engine.name}`, () => {
      let db: LiveDb;
      let make: (t?: number) => import('../../src/core/sqlite/writers/writer').WriterEngine;

      before(async function () {
        const found = (await enginesUnderTest()).find((e) => e.name === engine.name)!;
        if (!found.make) {
          console.log(`      (skipped: ${found.skip})`);
          this.skip();
        }
        make = found.make!;
      });
      beforeEach(async () => {
        db = await archonDb();
      });
      afterEach(async () => {
        await db?.close();
      });

      for (const status of ALL) {
        const resumable = status === 'failed' || status === 'paused';
        it(`resume of a ${status} run ${resumable ? 'claims it' : 'is refused and changes nothing'}`, async () => {
          const id = await insertRun(db, { status, metadata: '{"error":"boom","keep":{"a":1}}', completed_at: "datetime('now','-5 minutes')" });
          const before = await runRow(db, id);
          assert.equal(await listedResumable(db.path, id), resumable, 'listing and CAS agree');
          const result = await resumeRun(make(), db.path, id);
          const after = await runRow(db, id);
          if (resumable) {
            assert.deepEqual(result, { outcome: 'resumed', runId: id, status: 'running' });
            assert.equal(after!.status, 'running');
            assert.equal(after!.completed_at, null);
            assert.notEqual(after!.started_at, before!.started_at, 'the claim starts the run afresh');
            assert.equal(await db.scalar(`SELECT started_at >= datetime('now', '-5 seconds') FROM remote_agent_workflow_runs WHERE id = ${lit(id)}`), 1);
            assert.equal(JSON.parse(String(after!.metadata)).error, undefined, 'error key removed');
            assert.deepEqual(JSON.parse(String(after!.metadata)).keep, { a: 1 }, 'other keys kept');
            assert.equal(await db.scalar(`SELECT last_activity_at >= datetime('now', '-5 seconds') FROM remote_agent_workflow_runs WHERE id = ${lit(id)}`), 1);
            assert.deepEqual(await events(db, id), [{ event_type: 'workflow_resumed', data: '{"error":"boom"}' }]);
          } else {
            assert.deepEqual(result, { outcome: 'not-resumable', runId: id, status });
            assert.deepEqual(after, before, 'row unchanged');
            assert.deepEqual(await events(db, id), []);
          }
        });

        const cancellable = status !== 'completed' && status !== 'cancelled';
        it(`cancel of a ${status} run ${cancellable ? 'cancels it' : 'is a no-op that keeps completed_at'}`, async () => {
          const id = await insertRun(db, { status, completed_at: cancellable ? 'NULL' : "'2026-01-02 03:04:05'" });
          const before = await runRow(db, id);
          const result = await cancelRun(make(), db.path, id);
          const after = await runRow(db, id);
          if (cancellable) {
            assert.deepEqual(result, { outcome: 'cancelled', runId: id, status: 'cancelled' });
            assert.equal(after!.status, 'cancelled');
            assert.equal(await db.scalar(`SELECT completed_at >= datetime('now', '-5 seconds') FROM remote_agent_workflow_runs WHERE id = ${lit(id)}`), 1);
          } else {
            assert.deepEqual(result, { outcome: 'nothing-to-cancel', runId: id, status });
            assert.deepEqual(after, before, 'row byte-identical');
          }
        });
      }

      it('cancel is idempotent: the second cancel is a no-op that keeps the first stamp', async () => {
        const id = await insertRun(db, { status: 'running' });
        assert.equal((await cancelRun(make(), db.path, id)).outcome, 'cancelled');
        await db.exec(`UPDATE remote_agent_workflow_runs SET completed_at = '2026-01-01 00:00:00' WHERE id = ${lit(id)}`);
        assert.deepEqual(await cancelRun(make(), db.path, id), { outcome: 'nothing-to-cancel', runId: id, status: 'cancelled' });
        assert.equal((await runRow(db, id))!.completed_at, '2026-01-01 00:00:00');
      });

      const staleCases: [string, string, boolean][] = [
        ['fresh (a minute ago)', "datetime('now', '-1 minute')", false],
        ['23 hours ago', "datetime('now', '-23 hours')", false],
        ['one day minus a minute ago', "datetime('now', '-1 day', '+1 minute')", false],
        ['one day and a minute ago', "datetime('now', '-1 day', '-1 minute')", true],
        ['three days ago', "datetime('now', '-3 days')", true],
        ['NULL', 'NULL', true],
      ];
      for (const [label, activity, resumable] of staleCases) {
        it(`a running run with last activity ${label} is ${resumable ? '' : 'not '}resumable`, async () => {
          const id = await insertRun(db, { status: 'running', last_activity_at: activity, metadata: '{"error":"lost heartbeat"}' });
          assert.equal(await listedResumable(db.path, id), resumable, 'listing');
          const before = await runRow(db, id);
          const result = await resumeRun(make(), db.path, id);
          assert.equal(result.outcome, resumable ? 'resumed' : 'not-resumable');
          assert.equal(result.status, 'running');
          const after = await runRow(db, id);
          if (resumable) {
            // The claim itself: a fresh heartbeat and start, the error cleared into one event.
            assert.equal(await db.scalar(`SELECT last_activity_at >= datetime('now', '-5 seconds') AND started_at >= datetime('now', '-5 seconds') FROM remote_agent_workflow_runs WHERE id = ${lit(id)}`), 1);
            assert.equal(JSON.parse(String(after!.metadata)).error, undefined);
            assert.deepEqual(await events(db, id), [{ event_type: 'workflow_resumed', data: '{"error":"lost heartbeat"}' }]);
          } else {
            assert.deepEqual(after, before, 'row unchanged');
            assert.deepEqual(await events(db, id), [], 'no event');
          }
        });
      }

      it('a resume that clears no error writes no event', async () => {
        const ids = [
          await insertRun(db, { status: 'failed', metadata: '{}' }),
          await insertRun(db, { status: 'failed', metadata: '{"error":""}' }),
          await insertRun(db, { status: 'paused', metadata: '{"error":42,"approval":{"type":"approval"}}' }),
          await insertRun(db, { status: 'failed', metadata: null }),
        ];
        for (const id of ids) assert.equal((await resumeRun(make(), db.path, id)).outcome, 'resumed');
        assert.equal(await db.scalar('SELECT count(*) FROM remote_agent_workflow_events'), 0);
      });

      it('malformed metadata does not break the CAS and is left as it was', async () => {
        const id = await insertRun(db, { status: 'failed', metadata: '{"error": "half' });
        assert.equal((await resumeRun(make(), db.path, id)).outcome, 'resumed');
        const row = await runRow(db, id);
        assert.equal(row!.status, 'running');
        assert.equal(row!.metadata, '{"error": "half');
        const arr = await insertRun(db, { status: 'failed', metadata: '["error"]' });
        assert.equal((await resumeRun(make(), db.path, arr)).outcome, 'resumed');
        assert.equal((await runRow(db, arr))!.metadata, '["error"]', 'a non-object is not replaced by {}');
      });

      it('nested objects under error are not merged away: only the top-level key goes', async () => {
        const id = await insertRun(db, { status: 'failed', metadata: '{"error":"x","approval":{"error":"inner","type":"approval"}}' });
        await resumeRun(make(), db.path, id);
        assert.deepEqual(JSON.parse(String((await runRow(db, id))!.metadata)), { approval: { error: 'inner', type: 'approval' } });
      });

      it('an unknown id is not-found and writes nothing', async () => {
        await insertRun(db, { status: 'failed' });
        const before = await db.query('SELECT * FROM remote_agent_workflow_runs');
        assert.deepEqual(await resumeRun(make(), db.path, 'f'.repeat(32)), { outcome: 'not-found', runId: 'f'.repeat(32), status: null });
        assert.deepEqual(await cancelRun(make(), db.path, "x' OR 1=1 --"), { outcome: 'not-found', runId: "x' OR 1=1 --", status: null });
        assert.deepEqual(await db.query('SELECT * FROM remote_agent_workflow_runs'), before);
        assert.equal(await db.scalar('SELECT count(*) FROM remote_agent_workflow_events'), 0);
      });

      it('a run deleted meanwhile is not-found', async () => {
        const id = await insertRun(db, { status: 'failed' });
        await db.exec(`DELETE FROM remote_agent_workflow_runs WHERE id = ${lit(id)}`);
        assert.equal((await resumeRun(make(), db.path, id)).outcome, 'not-found');
        assert.equal((await cancelRun(make(), db.path, id)).outcome, 'not-found');
      });

      it('a write lock held past the busy timeout gives busy and changes nothing', async () => {
        const id = await insertRun(db, { status: 'failed', metadata: '{"error":"e"}' });
        const before = await runRow(db, id);
        await db.exec('BEGIN IMMEDIATE');
        try {
          const started = Date.now();
          assert.deepEqual(await resumeRun(make(300), db.path, id), { outcome: 'busy', runId: id, status: null });
          assert.ok(Date.now() - started >= 250, 'waited for the lock first');
          assert.equal((await cancelRun(make(300), db.path, id)).outcome, 'busy');
        } finally {
          await db.exec('ROLLBACK');
        }
        assert.deepEqual(await runRow(db, id), before);
        assert.equal(await db.scalar('SELECT count(*) FROM remote_agent_workflow_events'), 0);
      });

      it('a lock released within the busy timeout is waited for, then the write succeeds', async () => {
        const id = await insertRun(db, { status: 'failed' });
        await db.exec('BEGIN IMMEDIATE');
        const pending = resumeRun(make(5000), db.path, id);
        await new Promise((r) => setTimeout(r, 300));
        await db.exec('COMMIT');
        assert.equal((await pending).outcome, 'resumed');
      });

      it('works on an older schema (no event_order, outcome, parent_run_id)', async () => {
        const old = await archonDb({ schema: OLD_SCHEMA });
        try {
          await old.exec(`INSERT INTO remote_agent_workflow_runs (id, conversation_id, workflow_name, status, metadata, last_activity_at) VALUES ('old1', 'c', 'wf', 'failed', '{"error":"e"}', datetime('now'))`);
          assert.equal((await resumeRun(make(), old.path, 'old1')).outcome, 'resumed');
          assert.equal(await old.scalar(`SELECT count(*) FROM remote_agent_workflow_events WHERE event_type = 'workflow_resumed'`), 1);
          assert.equal((await cancelRun(make(), old.path, 'old1')).outcome, 'cancelled');
        } finally {
          await old.close();
        }
      });

      it('a missing database file is reported and not created', async () => {
        const missing = db.path + '.missing';
        await assert.rejects(resumeRun(make(), missing, 'x'), (err: Error & { kind?: string }) => err.kind === 'no-database');
        assert.equal(require('node:fs').existsSync(missing), false);
      });

      it('the event gets an event_order from the trigger after existing events', async () => {
        const id = await insertRun(db, { status: 'failed', metadata: '{"error":"boom"}' });
        await db.exec(`INSERT INTO remote_agent_workflow_events (id, workflow_run_id, event_type) VALUES ('e1', ${lit(id)}, 'node_started'), ('e2', ${lit(id)}, 'node_failed')`);
        await resumeRun(make(), db.path, id);
        const rows = await db.query(`SELECT event_type, event_order FROM remote_agent_workflow_events WHERE workflow_run_id = ${lit(id)} ORDER BY event_order`);
        assert.deepEqual(rows.map((r) => r.event_type), ['node_started', 'node_failed', 'workflow_resumed']);
      });
    });
  }
});
