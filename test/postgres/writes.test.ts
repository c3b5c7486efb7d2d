import * as assert from 'node:assert/strict';
import pg from 'pg';
import { PostgresWriter } from '../../src/core/postgres/postgresWriter';
import { PostgresReader } from '../../src/core/postgres/postgresReader';
import { archonPg, insertPgRun, pgRow } from '../support/postgres';
import { server } from './server';

const ALL = ['pending', 'running', 'paused', 'failed', 'completed', 'cancelled'];

/** Polls `probe` (a query of the server's state) until it holds, for at most 10 s. */
async function waitUntil(what: string, probe: () => Promise<boolean>): Promise<void> {
  for (const until = Date.now() + 10000; !(await probe()); ) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('PostgreSQL: resume and cancel on a real server', function () {
  this.timeout(30000);
  let db: Awaited<ReturnType<typeof archonPg>>;
  let writer: PostgresWriter;
  beforeEach(async () => {
    db = await archonPg(server());
    writer = new PostgresWriter(db.url);
  });
  afterEach(async () => {
    writer?.dispose();
    await db?.close();
  });

  const events = async (client: pg.Client, id: string) =>
    (await client.query(`SELECT event_type, data FROM remote_agent_workflow_events WHERE workflow_run_id = $1 ORDER BY event_order`, [id])).rows;
  const listedResumable = async (id: string) => {
    const reader = new PostgresReader(db.url);
    try {
      return (await reader.read('getRun', id)).value!.resumable;
    } finally {
      reader.dispose();
    }
  };

  for (const status of ALL) {
    const resumable = status === 'failed' || status === 'paused';
    it(`resume of a ${status} run ${resumable ? 'claims it' : 'is refused and changes nothing'}`, async () => {
      const id = await insertPgRun(db.client, { status, metadata: { error: 'boom', keep: { a: 1 } }, completed_at: "NOW() - interval '5 minutes'" });
      const before = await pgRow(db.client, id);
      assert.equal(await listedResumable(id), resumable, 'listing and CAS agree');
      const result = await writer.resume(id);
      const after = await pgRow(db.client, id);
      if (resumable) {
        assert.deepEqual(result, { outcome: 'resumed', runId: id, status: 'running' });
        assert.equal(after!.status, 'running');
        assert.equal(after!.completed_at, null);
        assert.ok((after!.started_at as Date) > (before!.started_at as Date), 'the claim starts the run afresh');
        assert.ok(Date.now() - (after!.last_activity_at as Date).getTime() < 5000, 'a fresh heartbeat');
        assert.deepEqual(after!.metadata, { keep: { a: 1 } }, "metadata - 'error': the key gone, the rest kept");
        assert.deepEqual(await events(db.client, id), [{ event_type: 'workflow_resumed', data: { error: 'boom' } }]);
      } else {
        assert.deepEqual(result, { outcome: 'not-resumable', runId: id, status });
        assert.deepEqual(after, before, 'row unchanged');
        assert.deepEqual(await events(db.client, id), [], 'no event');
      }
    });

    const cancellable = status !== 'completed' && status !== 'cancelled';
    it(`cancel of a ${status} run ${cancellable ? 'cancels it' : 'is a no-op that keeps completed_at'}`, async () => {
      const id = await insertPgRun(db.client, { status, completed_at: cancellable ? 'NULL' : "'2026-01-02 03:04:05+00'" });
      const before = await pgRow(db.client, id);
      const result = await writer.cancel(id);
      const after = await pgRow(db.client, id);
      if (cancellable) {
        assert.deepEqual(result, { outcome: 'cancelled', runId: id, status: 'cancelled' });
        assert.ok(Date.now() - (after!.completed_at as Date).getTime() < 5000);
      } else {
        assert.deepEqual(result, { outcome: 'nothing-to-cancel', runId: id, status });
        assert.deepEqual(after, before, 'row identical');
      }
    });
  }

  const staleCases: [string, string, boolean][] = [
    ['fresh (a minute ago)', "NOW() - interval '1 minute'", false],
    ['23 hours ago', "NOW() - interval '23 hours'", false],
    ['one day minus a minute ago', "NOW() - interval '1 day' + interval '1 minute'", false],
    ['one day and a minute ago', "NOW() - interval '1 day' - interval '1 minute'", true],
    ['three days ago', "NOW() - interval '3 days'", true],
    ['NULL', 'NULL', true],
  ];
  for (const [label, activity, resumable] of staleCases) {
    it(`a running run with last activity ${label} is ${resumable ? '' : 'not '}resumable`, async () => {
      const id = await insertPgRun(db.client, { status: 'running', last_activity_at: activity, metadata: { error: 'lost heartbeat' } });
      assert.equal(await listedResumable(id), resumable, 'listing');
      const before = await pgRow(db.client, id);
      const result = await writer.resume(id);
      assert.equal(result.outcome, resumable ? 'resumed' : 'not-resumable');
      if (resumable) assert.deepEqual(await events(db.client, id), [{ event_type: 'workflow_resumed', data: { error: 'lost heartbeat' } }]);
      else assert.deepEqual(await pgRow(db.client, id), before);
    });
  }

  it('a resume that clears no error writes no event; a non-object metadata is left as it is', async () => {
    const ids = [
      await insertPgRun(db.client, { status: 'failed', metadata: {} }),
      await insertPgRun(db.client, { status: 'failed', metadata: { error: '' } }),
      await insertPgRun(db.client, { status: 'paused', metadata: { error: 42, approval: { type: 'approval' } } }),
      await insertPgRun(db.client, { status: 'failed', metadata: ['error'] }),
    ];
    for (const id of ids) assert.equal((await writer.resume(id)).outcome, 'resumed');
    assert.equal((await db.client.query('SELECT count(*)::int AS n FROM remote_agent_workflow_events')).rows[0].n, 0);
    assert.deepEqual((await pgRow(db.client, ids[3]))!.metadata, ['error']);
    assert.deepEqual((await pgRow(db.client, ids[2]))!.metadata, { approval: { type: 'approval' } }, 'only the top-level error key goes');
  });

  it('an unknown id, an id that is no UUID, and a run deleted meanwhile are not-found, and change nothing', async () => {
    const id = await insertPgRun(db.client, { status: 'failed' });
    const before = (await db.client.query('SELECT * FROM remote_agent_workflow_runs')).rows;
    const unknown = '0f0f0f0f-0000-4000-8000-000000000000';
    assert.deepEqual(await writer.resume(unknown), { outcome: 'not-found', runId: unknown, status: null });
    assert.deepEqual(await writer.cancel("x' OR 1=1 --"), { outcome: 'not-found', runId: "x' OR 1=1 --", status: null });
    assert.deepEqual((await db.client.query('SELECT * FROM remote_agent_workflow_runs')).rows, before);
    await db.client.query('DELETE FROM remote_agent_workflow_runs WHERE id = $1', [id]);
    assert.equal((await writer.resume(id)).outcome, 'not-found');
    assert.equal((await writer.cancel(id)).outcome, 'not-found');
  });

  it('a row lock held past lock_timeout gives busy and changes nothing; one released in time is waited for', async () => {
    const id = await insertPgRun(db.client, { status: 'failed', metadata: { error: 'e' } });
    const before = await pgRow(db.client, id);
    const short = new PostgresWriter(db.url, 300);
    try {
      await db.client.query('BEGIN');
      await db.client.query('SELECT 1 FROM remote_agent_workflow_runs WHERE id = $1 FOR UPDATE', [id]);
      const started = Date.now();
      assert.deepEqual(await short.resume(id), { outcome: 'busy', runId: id, status: null });
      assert.ok(Date.now() - started >= 250, 'waited for the lock first');
      assert.equal((await short.cancel(id)).outcome, 'busy');
      await db.client.query('ROLLBACK');
      assert.deepEqual(await pgRow(db.client, id), before);
      assert.equal((await db.client.query('SELECT count(*)::int AS n FROM remote_agent_workflow_events')).rows[0].n, 0);
      await db.client.query('BEGIN');
      await db.client.query('SELECT 1 FROM remote_agent_workflow_runs WHERE id = $1 FOR UPDATE', [id]);
      const pending = writer.resume(id);
      await new Promise((r) => setTimeout(r, 300));
      await db.client.query('COMMIT');
      assert.equal((await pending).outcome, 'resumed');
    } finally {
      short.dispose();
    }
  });

  it('the workflow_resumed event carries the error Resume cleared, when another connection changed it and held the row meanwhile', async () => {
    const id = await insertPgRun(db.client, { status: 'failed', metadata: { error: 'first failure', keep: 1 } });
    const holder = Number((await db.client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
    // Another connection, outside any transaction, sees when the Resume waits on the holder's lock.
    const watcher = new pg.Client({ connectionString: db.url });
    await watcher.connect();
    try {
      await db.client.query('BEGIN');
      await db.client.query(`UPDATE remote_agent_workflow_runs SET metadata = jsonb_set(metadata, '{error}', '"second failure"') WHERE id = $1`, [id]);
      const resumed = writer.resume(id);
      await waitUntil('the Resume to wait for the row lock', async () => {
        const { rows } = await watcher.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [holder]);
        return rows[0].n === 1;
      });
      await db.client.query('COMMIT');
      assert.deepEqual(await resumed, { outcome: 'resumed', runId: id, status: 'running' });
      assert.deepEqual(await events(db.client, id), [{ event_type: 'workflow_resumed', data: { error: 'second failure' } }], 'the error the claim cleared');
      assert.deepEqual((await pgRow(db.client, id))!.metadata, { keep: 1 });
    } finally {
      await db.client.query('ROLLBACK').catch(() => undefined);
      await watcher.end();
    }
  });

  it('works on an older schema: no outcome, output_root, parent_run_id or user_id, and events without event_order', async () => {
    await db.client.query(`ALTER TABLE remote_agent_workflow_runs DROP COLUMN outcome, DROP COLUMN output_root, DROP COLUMN parent_run_id, DROP COLUMN user_id;
      ALTER TABLE remote_agent_workflow_events DROP COLUMN event_order CASCADE`);
    const { rows } = await db.client.query(
      `INSERT INTO remote_agent_conversations (id, platform_type, platform_conversation_id) VALUES (gen_random_uuid(), 'cli', 'old') RETURNING id;`,
    );
    const id = (
      await db.client.query(
        `INSERT INTO remote_agent_workflow_runs (workflow_name, conversation_id, user_message, status, metadata) VALUES ('wf', $1, 'm', 'failed', '{"error":"old"}') RETURNING id::text AS id`,
        [rows[0].id],
      )
    ).rows[0].id as string;
    assert.equal((await writer.resume(id)).outcome, 'resumed');
    assert.deepEqual(await db.client.query(`SELECT event_type FROM remote_agent_workflow_events`).then((r) => r.rows), [{ event_type: 'workflow_resumed' }]);
    const reader = new PostgresReader(db.url);
    try {
      const history = (await reader.read('history', { id, events: 10 })).value!;
      assert.equal(history.run.status, 'running');
      assert.equal(history.run.outcome, null);
      assert.equal(history.events[0].order, null);
    } finally {
      reader.dispose();
    }
  });
});
