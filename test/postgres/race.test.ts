import * as assert from 'node:assert/strict';
import pg from 'pg';
import type { RunsWriter } from '../../src/core/database';
import { PostgresWriter } from '../../src/core/postgres/postgresWriter';
import { archonPg, insertPgRun } from '../support/postgres';
import { Racer } from '../support/racers';
import { server } from './server';

const RESUME_TRIALS = 200;
const CANCEL_TRIALS = 100;

/** Another connection that keeps committing: each commit adds a row and an event, acknowledged when it returns. */
class PgChurn {
  acked = 0;
  private stopped = false;
  private readonly done: Promise<void>;

  constructor(url: string, runId: string) {
    const client = new pg.Client({ connectionString: url });
    this.done = (async () => {
      await client.connect();
      await client.query('CREATE TABLE churn_log (n INTEGER PRIMARY KEY)');
      for (let n = 1; !this.stopped; n++) {
        await client.query('BEGIN');
        await client.query('INSERT INTO churn_log VALUES ($1)', [n]);
        await client.query(`INSERT INTO remote_agent_workflow_events (workflow_run_id, event_type, data) VALUES ($1, 'node_progress', $2)`, [runId, JSON.stringify({ n })]);
        await client.query('COMMIT');
        this.acked = n;
      }
      await client.end();
    })();
  }

  async stop(): Promise<number> {
    this.stopped = true;
    await this.done;
    return this.acked;
  }
}

describe('PostgreSQL: writers racing on one run, processes and connections, another connection committing', function () {
  this.timeout(300000);
  let db: Awaited<ReturnType<typeof archonPg>>;
  let racers: Racer[];
  let inProcess: RunsWriter[];
  let churn: PgChurn;
  let target: string;

  before(async () => {
    db = await archonPg(server());
    target = await insertPgRun(db.client, { status: 'failed' });
    const background = await insertPgRun(db.client, { status: 'running', workflow_name: 'churn' });
    racers = [1, 2, 3, 4].map(() => new Racer('postgres', process.execPath));
    await Promise.all(racers.map((r) => r.ready));
    // Two more in this process, each with a pool (and so connections) of its own.
    inProcess = [new PostgresWriter(db.url), new PostgresWriter(db.url)];
    churn = new PgChurn(db.url, background);
  });
  after(async () => {
    await Promise.all(racers?.map((r) => r.stop()) ?? []);
    for (const w of inProcess ?? []) w.dispose();
    await db?.close();
  });

  const reset = (set: string, params: unknown[] = []) => db.client.query(`UPDATE remote_agent_workflow_runs SET ${set} WHERE id = $1`, [target, ...params]);

  async function race(op: 'resume' | 'cancel'): Promise<string[]> {
    const answers = await Promise.all([...racers.map((r) => r.send(op, db.url, target)), ...inProcess.map((w) => w[op](target))]);
    for (const a of answers) assert.notEqual(a.outcome, 'error', (a as { message?: string }).message);
    return answers.map((a) => a.outcome);
  }

  const resumeEvents = async () =>
    (await db.client.query(`SELECT data ->> 'error' AS error FROM remote_agent_workflow_events WHERE workflow_run_id = $1 AND event_type = 'workflow_resumed' ORDER BY event_order`, [target])).rows.map(
      (r) => r.error,
    );

  it(`resume: exactly one winner in each of ${RESUME_TRIALS} trials, one event per win, no busy`, async () => {
    const tally: Record<string, number> = {};
    for (let trial = 1; trial <= RESUME_TRIALS; trial++) {
      await reset(`status = 'failed', completed_at = NOW(), metadata = jsonb_build_object('error', $2::text)`, [`failure ${trial}`]);
      const outcomes = await race('resume');
      for (const o of outcomes) tally[o] = (tally[o] ?? 0) + 1;
      assert.equal(outcomes.filter((o) => o === 'resumed').length, 1, `trial ${trial}: ${outcomes}`);
      assert.ok(outcomes.every((o) => o === 'resumed' || o === 'not-resumable'), `trial ${trial}: ${outcomes}`);
    }
    assert.deepEqual(await resumeEvents(), Array.from({ length: RESUME_TRIALS }, (_, i) => `failure ${i + 1}`), 'one workflow_resumed event per won resume, in order');
    console.log(`      outcomes: ${JSON.stringify(tally)}`);
  });

  it('resume: racers that all lose write no event, even where the run still carries an error', async () => {
    const before = (await resumeEvents()).length;
    for (let trial = 1; trial <= 20; trial++) {
      await reset(`status = $2, last_activity_at = NOW(), metadata = '{"error":"still here"}'`, [trial % 2 ? 'completed' : 'running']);
      const outcomes = await race('resume');
      assert.deepEqual(outcomes, outcomes.map(() => 'not-resumable'), `trial ${trial}`);
    }
    assert.equal((await resumeEvents()).length, before);
  });

  it(`cancel: exactly one winner in each of ${CANCEL_TRIALS} trials`, async () => {
    const tally: Record<string, number> = {};
    for (let trial = 1; trial <= CANCEL_TRIALS; trial++) {
      await reset(`status = 'running', completed_at = NULL, last_activity_at = NOW()`);
      const outcomes = await race('cancel');
      for (const o of outcomes) tally[o] = (tally[o] ?? 0) + 1;
      assert.equal(outcomes.filter((o) => o === 'cancelled').length, 1, `trial ${trial}: ${outcomes}`);
      assert.ok(outcomes.every((o) => o === 'cancelled' || o === 'nothing-to-cancel'), `trial ${trial}: ${outcomes}`);
    }
    console.log(`      outcomes: ${JSON.stringify(tally)}`);
  });

  it("loses none of the other connection's acknowledged commits", async () => {
    const acked = await churn.stop();
    assert.ok(acked > 100, `it committed throughout (${acked})`);
    const { rows } = await db.client.query('SELECT count(*)::int AS n, max(n) AS top FROM churn_log');
    assert.deepEqual(rows[0], { n: acked, top: acked });
    console.log(`      the other connection: ${acked} acknowledged commits, all present`);
  });
});
