import * as assert from 'node:assert/strict';
import { gateActions } from '../../src/core/model/runModel';
import { SnapshotDatabase } from '../../src/core/sqlite/snapshot/snapshotDatabase';
import type { StatusWatch, WatchRequest } from '../../src/core/model/statusWatch';
import { watch as watchPlan } from '../../src/core/reads/runReads';
import { archonDb, cleanupTempDirs, insertRun, lit } from '../support/fixtures';
import type { LiveDb } from '../support/liveDb';

const gate = (approval: object) => JSON.stringify({ approval });
const OPEN = gate({ nodeId: 'review', message: 'Ship it?', type: 'approval' });

describe('the status watch', function () {
  this.timeout(30000);
  let db: LiveDb;
  let reading: SnapshotDatabase;
  beforeEach(async () => {
    db = await archonDb();
    await db.exec(`INSERT INTO remote_agent_codebases (id, name, default_cwd) VALUES ('here', 'acme/here', '/src/here'), ('there', 'acme/there', '/src/there')`);
    reading = await SnapshotDatabase.open(db.path);
  });
  afterEach(async () => {
    reading?.close();
    await db?.close();
  });
  after(cleanupTempDirs);

  const watch = async (request: WatchRequest): Promise<StatusWatch> => (await reading.read((reader) => reader.run(watchPlan(reader.sql, request)))).value;
  const kinds = (w: StatusWatch) => w.arrived.map((a) => `${a.kind}:${a.run.workflowName}`).sort();

  it('learns what is so on its first read and tells nothing of it', async () => {
    await insertRun(db, { status: 'failed', codebase_id: 'here' });
    await insertRun(db, { status: 'paused', codebase_id: 'here', metadata: OPEN });
    await insertRun(db, { status: 'running', codebase_id: 'here', last_activity_at: "datetime('now', '-3 days')" });
    const first = await watch({ folders: ['/src/here'], completed: true });
    assert.deepEqual(first.arrived, []);
    assert.equal(first.awaiting, 1);
    assert.equal(first.memory.interrupted.length, 1);
  });

  it('tells of runs in scope that fail, stop at a gate, are interrupted, or (when asked) complete', async () => {
    const ids = {
      fails: await insertRun(db, { status: 'running', workflow_name: 'wf-fails', codebase_id: 'here', last_activity_at: "datetime('now')" }),
      pauses: await insertRun(db, { status: 'running', workflow_name: 'wf-pauses', codebase_id: 'here', last_activity_at: "datetime('now')" }),
      stalls: await insertRun(db, { status: 'running', workflow_name: 'wf-stalls', codebase_id: 'here', last_activity_at: "datetime('now')" }),
      completes: await insertRun(db, { status: 'running', workflow_name: 'wf-completes', codebase_id: 'here', last_activity_at: "datetime('now')" }),
      elsewhere: await insertRun(db, { status: 'running', workflow_name: 'wf-elsewhere', codebase_id: 'there', last_activity_at: "datetime('now')" }),
    };
    const request = { folders: ['/src/here'], completed: true };
    const first = await watch(request);
    assert.equal(first.running, 4, 'the run of another project is not counted');
    await db.exec(`UPDATE remote_agent_workflow_runs SET status = 'failed', metadata = '{"error":"boom"}', completed_at = datetime('now') WHERE id IN (${lit(ids.fails)}, ${lit(ids.elsewhere)});
      UPDATE remote_agent_workflow_runs SET status = 'paused', metadata = ${lit(OPEN)} WHERE id = ${lit(ids.pauses)};
      UPDATE remote_agent_workflow_runs SET last_activity_at = datetime('now', '-2 days') WHERE id = ${lit(ids.stalls)};
      UPDATE remote_agent_workflow_runs SET status = 'completed', completed_at = datetime('now') WHERE id = ${lit(ids.completes)}`);
    const second = await watch({ ...request, memory: first.memory });
    assert.deepEqual(kinds(second), ['completed:wf-completes', 'failed:wf-fails', 'gate:wf-pauses', 'interrupted:wf-stalls']);
    assert.equal(second.arrived.find((a) => a.kind === 'failed')!.run.error, 'boom');
    assert.equal(second.running, 0);
    assert.equal(second.awaiting, 1);
    // Nothing moved since: no news again.
    assert.deepEqual((await watch({ ...request, memory: second.memory })).arrived, []);
    // Without completions asked for, they are no news.
    await db.exec(`UPDATE remote_agent_workflow_runs SET status = 'completed' WHERE id = ${lit(ids.stalls)}`);
    const third = await watch({ folders: ['/src/here'], completed: false, memory: second.memory });
    assert.deepEqual(kinds(third), []);
  });

  it('a run that fails, is resumed, and fails again is news each time', async () => {
    const id = await insertRun(db, { status: 'failed' });
    let memory = (await watch({ completed: false })).memory;
    await db.exec(`UPDATE remote_agent_workflow_runs SET status = 'running', last_activity_at = datetime('now') WHERE id = ${lit(id)}`);
    memory = (await watch({ completed: false, memory })).memory;
    await db.exec(`UPDATE remote_agent_workflow_runs SET status = 'failed' WHERE id = ${lit(id)}`);
    assert.deepEqual(kinds(await watch({ completed: false, memory })), ['failed:archon-fix-github-issue']);
  });

  it('an open gate waits on a person: not once resolved, not a parent waiting on its child, and malformed metadata is no error', async () => {
    const resolved = await insertRun(db, { status: 'paused', metadata: gate({ nodeId: 'n', message: 'm', type: 'approval', resolved: 'approved' }) });
    const parent = await insertRun(db, { status: 'paused', metadata: gate({ nodeId: 'n', message: 'm', type: 'child_workflow', childRunId: 'c1' }) });
    const open = await insertRun(db, { status: 'paused', metadata: gate({ nodeId: 'loop', message: 'What next?', type: 'interactive_loop', iteration: 3 }) });
    const decisions = await insertRun(db, {
      status: 'paused',
      metadata: gate({ nodeId: 'n', message: 'Which?', type: 'approval', decisionsAuthored: true, decisions: [{ id: 'ship', label: 'Ship it' }, { id: 'hold' }] }),
    });
    const malformed = await insertRun(db, { status: 'paused', metadata: '{"approval": {' });
    // Keys named like the gate's, but beside it: they say nothing of the gate.
    const beside = await insertRun(db, { status: 'paused', metadata: JSON.stringify({ resolved: 'approved', type: 'child_workflow', approval: { nodeId: 'n', message: 'm', type: 'approval' } }) });
    const w = await watch({ completed: false });
    assert.deepEqual([...w.memory.gates].sort(), [open, decisions, malformed, beside].sort());
    const runs = await reading.read((reader) => Object.fromEntries(reader.listRuns().map((r) => [r.id, r])));
    const v = runs.value;
    assert.deepEqual([v[resolved].openGate, v[parent].openGate, v[open].openGate, v[beside].openGate], [false, false, true, true]);
    assert.deepEqual(gateActions(v[open]), { decide: true, respond: true }, 'an interactive loop takes an answer');
    assert.deepEqual(gateActions(v[decisions]), { decide: true, respond: true }, 'declared decisions');
    assert.deepEqual(v[decisions].approval!.decisions, [{ id: 'ship', label: 'Ship it' }, { id: 'hold', label: null }]);
    assert.deepEqual(gateActions(v[malformed]), { decide: false, respond: false }, 'nothing Archon could answer');
    assert.equal(v[parent].approval!.childRunId, 'c1');
    const tally = await reading.read((reader) => reader.tally({}));
    assert.equal(tally.value.openGates, 4, 'the tally counts with the same predicate');
    assert.deepEqual((await reading.read((reader) => reader.listRuns({ openGate: true }).map((r) => r.id).sort())).value, [open, decisions, malformed, beside].sort());
  });
});
