import * as assert from 'node:assert/strict';
import { Churn, CHURN_SCHEMA } from '../support/churn';
import { archonDb, cleanupTempDirs, insertRun, lit } from '../support/fixtures';
import type { LiveDb } from '../support/liveDb';
import { nodeWithSqlite, Racer } from '../support/racers';

const RESUME_TRIALS = 200;
const CANCEL_TRIALS = 100;

describe('concurrent writers racing on one run', function () {
  this.timeout(300000);
  let db: LiveDb;
  let churn: Churn;
  let racers: Racer[];
  let target: string;

  before(async function () {
    const nodeSqlite = nodeWithSqlite();
    db = await archonDb();
    await db.exec(CHURN_SCHEMA);
    target = await insertRun(db, { status: 'failed' });
    racers = [new Racer('sqlite3', process.execPath), new Racer('sqlite3', process.execPath)];
    if (nodeSqlite) racers.push(new Racer('node-sqlite', nodeSqlite), new Racer('node-sqlite', nodeSqlite));
    else console.log('      (no Node with node:sqlite: racing sqlite3 shells only)');
    const engines = await Promise.all(racers.map((r) => r.ready));
    console.log(`      racers: ${engines.join('; ')}`);
    // A third process keeps committing and checkpointing throughout, as a busy Archon does: a
    // moment between writes, PASSIVE checkpoints only. (Without the pause SQLite's unfair locks let
    // one writer starve another's busy handler past its timeout: an honest "busy", and not what
    // this test is about. Reads under a full-speed writer are tested in snapshot.test.ts.)
    churn = new Churn(db.path, { checkpointEvery: 200, checkpointModes: ['PASSIVE'], pauseMs: 5 });
  });

  after(async () => {
    await Promise.all(racers?.map((r) => r.stop()) ?? []);
    await db?.close();
    cleanupTempDirs();
  });

  /** Puts the run back for the next trial (IMMEDIATE: a deferred write would fail with BUSY_SNAPSHOT). */
  function reset(set: string): Promise<void> {
    return db.exec(`BEGIN IMMEDIATE; UPDATE remote_agent_workflow_runs SET ${set} WHERE id = ${lit(target)}; COMMIT`);
  }

  async function race(op: 'resume' | 'cancel'): Promise<string[]> {
    const answers = await Promise.all(racers.map((r) => r.send(op, db.path, target)));
    for (const a of answers) assert.notEqual(a.outcome, 'error', a.message);
    for (const [i, a] of answers.entries()) if (a.outcome === 'busy') console.log(`      BUSY from racer ${i} (${racers[i].engine}) after ${(a as { ms?: number }).ms} ms`);
    return answers.map((a) => a.outcome);
  }

  it(`resume: exactly one winner in each of ${RESUME_TRIALS} trials, one event per win`, async () => {
    const tally: Record<string, number> = {};
    for (let trial = 1; trial <= RESUME_TRIALS; trial++) {
      await reset(`status = 'failed', completed_at = datetime('now'), metadata = json_object('error', 'failure ${trial}')`);
      const outcomes = await race('resume');
      for (const o of outcomes) tally[o] = (tally[o] ?? 0) + 1;
      assert.equal(outcomes.filter((o) => o === 'resumed').length, 1, `trial ${trial}: ${outcomes}`);
      // Within a 5 s busy timeout every racer gets the lock in turn: "busy" would be a bug (a plain BEGIN).
      assert.ok(outcomes.every((o) => o === 'resumed' || o === 'not-resumable'), `trial ${trial}: ${outcomes}`);
    }
    const events = await db.query(
      `SELECT data FROM remote_agent_workflow_events WHERE workflow_run_id = ${lit(target)} AND event_type = 'workflow_resumed' ORDER BY event_order`,
    );
    assert.equal(events.length, RESUME_TRIALS, 'one workflow_resumed event per won resume');
    assert.deepEqual(events.map((e) => JSON.parse(String(e.data)).error), Array.from({ length: RESUME_TRIALS }, (_, i) => `failure ${i + 1}`));
    console.log(`      outcomes: ${JSON.stringify(tally)}`);
  });

  it('resume: racers that all lose write no event, even where the run still carries an error', async () => {
    // A winner clears the error before a loser reads it, so only a run nobody can claim shows
    // whether a loser would write an event: here every racer loses, with the error in place.
    for (let trial = 1; trial <= 20; trial++) {
      const status = trial % 2 ? 'completed' : 'running';
      await reset(`status = '${status}', last_activity_at = datetime('now'), metadata = json_object('error', 'still here ${trial}')`);
      const before = await db.query(`SELECT * FROM remote_agent_workflow_runs WHERE id = ${lit(target)}`);
      const events = await db.scalar('SELECT count(*) FROM remote_agent_workflow_events WHERE workflow_run_id = ' + lit(target));
      const outcomes = await race('resume');
      assert.deepEqual(outcomes, outcomes.map(() => 'not-resumable'), `trial ${trial}`);
      assert.deepEqual(await db.query(`SELECT * FROM remote_agent_workflow_runs WHERE id = ${lit(target)}`), before, `trial ${trial}: row unchanged`);
      assert.equal(await db.scalar('SELECT count(*) FROM remote_agent_workflow_events WHERE workflow_run_id = ' + lit(target)), events, `trial ${trial}: no event`);
    }
  });

  it(`cancel: exactly one winner in each of ${CANCEL_TRIALS} trials`, async () => {
    const tally: Record<string, number> = {};
    for (let trial = 1; trial <= CANCEL_TRIALS; trial++) {
      await reset(`status = 'running', completed_at = NULL, last_activity_at = datetime('now')`);
      const outcomes = await race('cancel');
      for (const o of outcomes) tally[o] = (tally[o] ?? 0) + 1;
      assert.equal(outcomes.filter((o) => o === 'cancelled').length, 1, `trial ${trial}: ${outcomes}`);
      assert.ok(outcomes.every((o) => o === 'cancelled' || o === 'nothing-to-cancel'), `trial ${trial}: ${outcomes}`);
    }
    console.log(`      outcomes: ${JSON.stringify(tally)}`);
  });

  it("loses none of the third process's acknowledged commits and leaves the database intact", async () => {
    const acked = await churn.stop();
    assert.ok(acked > 100, `the third process committed throughout (${acked})`);
    assert.equal(await db.scalar(`SELECT count(*) FROM churn_log WHERE n <= ${acked}`), acked);
    assert.equal(await db.scalar('SELECT (SELECT total FROM churn_meta) = (SELECT count(*) FROM churn_log)'), 1);
    assert.equal(await db.scalar('PRAGMA integrity_check'), 'ok');
    assert.equal(await db.scalar('PRAGMA journal_mode'), 'wal', 'still in WAL mode');
    console.log(`      third process: ${acked} acknowledged commits, all present`);
  });
});
