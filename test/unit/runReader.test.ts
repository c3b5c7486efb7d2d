import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunReader } from '../../src/core/sqlite/runReader';
import { SnapshotDatabase } from '../../src/core/sqlite/snapshot/snapshotDatabase';
import { archonDb, cleanupTempDirs, insertRun, insertRunSql, lit, OLD_SCHEMA, tempDir } from '../support/fixtures';
import type { LiveDb } from '../support/liveDb';

describe('RunReader', function () {
  this.timeout(20000);
  let db: LiveDb;
  afterEach(async () => {
    await db?.close();
  });
  after(cleanupTempDirs);

  async function seedProjects() {
    await db.exec(`INSERT INTO remote_agent_codebases (id, name, default_cwd) VALUES
      ('cb-widgets', 'acme/widgets', '/home/alice/code/widgets'),
      ('cb-gadgets', 'acme/gadgets', '/home/alice/code/gadgets')`);
  }

  it('lists newest first with the fields the CLI and the tree need, dates as UTC ISO', async () => {
    db = await archonDb();
    await seedProjects();
    const old = await insertRun(db, { status: 'completed', started_at: "'2026-03-01 10:00:00'", codebase_id: 'cb-widgets' });
    const recent = await insertRun(db, {
      status: 'failed',
      started_at: "'2026-03-02 08:30:05'",
      last_activity_at: "'2026-03-02 08:31:00'",
      completed_at: "'2026-03-02 08:31:10'",
      metadata: '{"error":"node implement failed"}',
      working_path: '/home/alice/.archon/workspaces/acme/widgets/worktrees/archon/task-1',
      codebase_id: 'cb-widgets',
    });
    const runs = await SnapshotDatabase.readOnce(db.path, (r) => r.listRuns());
    assert.deepEqual(runs.map((r) => r.id), [recent, old]);
    assert.equal(runs[0].startedAt, '2026-03-02T08:30:05Z');
    assert.equal(runs[0].lastActivityAt, '2026-03-02T08:31:00Z');
    assert.equal(runs[0].completedAt, '2026-03-02T08:31:10Z');
    assert.equal(runs[0].error, 'node implement failed');
    assert.equal(runs[0].codebaseName, 'acme/widgets');
    assert.equal(runs[0].platform, 'cli');
    assert.equal(runs[0].resumable, true);
    assert.equal(runs[1].resumable, false);
    assert.equal(runs[1].cancellable, false);
  });

  it('filters by status (and interrupted), text, id prefix and folder; pages with limit/offset', async () => {
    db = await archonDb();
    await seedProjects();
    await insertRun(db, { id: 'aaaa0001', status: 'running', workflow_name: 'archon-fix-github-issue', codebase_id: 'cb-widgets' });
    await insertRun(db, { id: 'aaaa0002', status: 'running', last_activity_at: "datetime('now', '-2 days')", codebase_id: 'cb-gadgets' });
    await insertRun(db, { id: 'bbbb0003', status: 'paused', user_message: 'Please REVIEW the PR', workflow_name: 'archon-smart-pr-review' });
    await insertRun(db, {
      id: 'bbbb0004',
      status: 'failed',
      working_path: '/home/alice/code/widgets/.worktrees/x',
    });
    await insertRun(db, { id: 'cccc0005', status: 'mystery', working_path: '/home/alice/code/widgets-other' });
    await SnapshotDatabase.readOnce(db.path, (r) => {
      const ids = (f: Parameters<RunReader['listRuns']>[0]) => r.listRuns(f).map((x) => x.id).sort();
      assert.deepEqual(ids({ statuses: ['running'] }), ['aaaa0001', 'aaaa0002']);
      assert.deepEqual(ids({ statuses: ['interrupted'] }), ['aaaa0002']);
      assert.deepEqual(ids({ statuses: ['paused', 'mystery'] }), ['bbbb0003', 'cccc0005']);
      assert.deepEqual(ids({ text: 'review' }), ['bbbb0003'], 'workflow name or user message, case-insensitive');
      assert.deepEqual(ids({ text: 'aaaa' }), ['aaaa0001', 'aaaa0002'], 'id prefix');
      assert.deepEqual(ids({ text: "%' OR 1=1 --" }), [], 'text is bound, not interpolated');
      assert.deepEqual(ids({ folders: ['/home/alice/code/widgets/'] }), ['aaaa0001', 'bbbb0004'], 'codebase folder or working path inside; not a sibling with the same prefix');
      assert.deepEqual(ids({ folders: ['/home/alice/code'] }), ['aaaa0001', 'aaaa0002', 'bbbb0004', 'cccc0005']);
      assert.deepEqual(ids({ resumable: true }), ['aaaa0002', 'bbbb0003', 'bbbb0004'], 'the CAS predicate: failed, paused, stale running');
      assert.deepEqual(ids({ cancellable: true }), ['aaaa0001', 'aaaa0002', 'bbbb0003', 'bbbb0004', 'cccc0005']);
      assert.equal(r.listRuns({ limit: 2 }).length, 2);
      assert.equal(r.listRuns({ limit: 2, offset: 4 }).length, 1);
      const interrupted = r.listRuns({ statuses: ['interrupted'] })[0];
      assert.equal(interrupted.interrupted, true);
      assert.equal(interrupted.resumable, true);
      assert.equal(r.listRuns({ statuses: ['mystery'] })[0].cancellable, true, 'an unknown status is listed and cancellable');
      assert.deepEqual(r.countByStatus(), { running: 2, interrupted: 1, paused: 1, failed: 1, mystery: 1 });
      assert.deepEqual(r.countByStatus({ folders: ['/home/alice/code/widgets'] }), { running: 1, failed: 1 });
    });
  });

  it('reads one run with its events in order and its child runs', async () => {
    db = await archonDb();
    const parent = await insertRun(db, { status: 'paused', metadata: '{"approval":{"nodeId":"gate","message":"Approve the plan?","type":"approval"}}' });
    const other = await insertRun(db, { status: 'running' });
    const child = await insertRun(db, { status: 'completed', parent_run_id: parent });
    await db.exec(`INSERT INTO remote_agent_workflow_events (id, workflow_run_id, event_type, step_name, data, created_at) VALUES
      ('e1', ${lit(parent)}, 'workflow_started', NULL, '{}', '2026-03-01 10:00:00'),
      ('e2', ${lit(other)}, 'node_started', 'plan', '{}', '2026-03-01 10:00:01'),
      ('e3', ${lit(parent)}, 'node_started', 'plan', '{"provider":"claude"}', '2026-03-01 10:00:01'),
      ('e4', ${lit(parent)}, 'approval_requested', 'gate', '{not json', '2026-03-01 10:00:01')`);
    await SnapshotDatabase.readOnce(db.path, (r) => {
      const run = r.getRun(parent)!;
      assert.deepEqual(run.approval, { type: 'approval', nodeId: 'gate', message: 'Approve the plan?', childRunId: null, iteration: null, decisions: [] });
      assert.equal(run.openGate, true);
      assert.equal(run.metadataValid, true);
      const events = r.events({ runId: parent, newest: 10 }).events;
      assert.deepEqual(events.map((e) => e.id), ['e1', 'e3', 'e4']);
      assert.deepEqual(events[1].data, { provider: 'claude' });
      assert.equal(events[2].data, '{not json', 'malformed data is shown raw');
      assert.equal(events[0].createdAt, '2026-03-01T10:00:00Z');
      assert.deepEqual(r.children(parent).map((c) => c.id), [child]);
      assert.equal(r.getRun('nope'), undefined);
    });
  });

  it('survives malformed metadata, NULL dates and odd values', async () => {
    db = await archonDb();
    const id = await insertRun(db, { metadata: '{"error": broken', started_at: 'NULL', last_activity_at: "'yesterday'" });
    await SnapshotDatabase.readOnce(db.path, (r) => {
      const [run] = r.listRuns();
      assert.equal(run.id, id);
      assert.equal(run.error, null);
      assert.equal(run.startedAt, null);
      assert.equal(run.lastActivityAt, null);
      assert.equal(r.getRun(id)!.metadataValid, false);
      assert.equal(r.getRun(id)!.metadata, '{"error": broken');
    });
  });

  it('lists an early-schema database (no outcome, parent_run_id, event_order)', async () => {
    db = await archonDb({ schema: OLD_SCHEMA });
    const cols = new Set(['id', 'conversation_id', 'workflow_name', 'user_message', 'status', 'metadata', 'started_at', 'last_activity_at', 'completed_at', 'working_path', 'codebase_id']);
    await db.exec(insertRunSql({ id: 'old-1', status: 'failed', metadata: '{"error":"x"}' }, cols));
    await db.exec(`INSERT INTO remote_agent_workflow_events (id, workflow_run_id, event_type) VALUES ('ev', 'old-1', 'step_started')`);
    await SnapshotDatabase.readOnce(db.path, (r) => {
      assert.equal(r.schema.runs.has('outcome'), false);
      const [run] = r.listRuns();
      assert.equal(run.outcome, null);
      assert.equal(run.parentRunId, null);
      assert.equal(run.resumable, true);
      assert.deepEqual(r.events({ runId: 'old-1', newest: 10 }).events.map((e) => e.type), ['step_started']);
      assert.deepEqual(r.children('old-1'), []);
    });
  });

  it('resolves a full id, a unique prefix of 8+ characters, and refuses short or ambiguous ones', async () => {
    db = await archonDb();
    await insertRun(db, { id: '7439b164219910368943660f5524e9e4' });
    await insertRun(db, { id: '7439b164aaaa0368943660f5524e9e4b' });
    await insertRun(db, { id: '0d5b1f3e-8c2a-4e57-9d7a-1b2c3d4e5f60' });
    await SnapshotDatabase.readOnce(db.path, (r) => {
      assert.deepEqual(r.resolveId('7439b164219910368943660f5524e9e4'), { kind: 'found', id: '7439b164219910368943660f5524e9e4' });
      assert.deepEqual(r.resolveId('7439b1642'), { kind: 'found', id: '7439b164219910368943660f5524e9e4' });
      assert.equal(r.resolveId('7439b164').kind, 'ambiguous');
      assert.deepEqual(r.resolveId('0D5B1F3E-8c'), { kind: 'found', id: '0d5b1f3e-8c2a-4e57-9d7a-1b2c3d4e5f60' });
      assert.equal(r.resolveId('7439b1').kind, 'too-short');
      assert.equal(r.resolveId('ffffffff').kind, 'not-found');
    });
  });

  it('explains a database without the runs table and one that is not a database', async () => {
    const dir = tempDir();
    db = await archonDb({ schema: 'PRAGMA journal_mode = WAL; CREATE TABLE other (x);', file: path.join(dir, 'plain.db') });
    await assert.rejects(SnapshotDatabase.readOnce(db.path, () => 0), { message: /has no remote_agent_workflow_runs table: it is not an Archon database/ });
    const garbage = path.join(dir, 'garbage.db');
    const bytes = Buffer.alloc(8192, 7);
    Buffer.from('SQLite format 3\0').copy(bytes);
    fs.writeFileSync(garbage, bytes);
    await assert.rejects(SnapshotDatabase.readOnce(garbage, () => 0), (err: Error & { kind?: string }) => err.kind === 'not-a-database');
  });
});
